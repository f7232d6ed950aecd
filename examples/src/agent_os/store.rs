//! The server's state: which AgentOS it is, and in memory the sessions and memories
//! that runs leave behind, bounded by [`MAX_STORED`] each.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde::Serialize;

use super::MAX_STORED;
use super::agent::{Agent, Agents};
use super::os::Os;

/// The shared state: the AgentOS served and its in-memory store.
#[derive(Clone)]
pub(crate) struct AppState {
    os: &'static Os,
    /// The `GET /config` document, serialised once: it never changes while the server
    /// runs.
    config: Arc<str>,
    store: Arc<Mutex<Store>>,
}

impl AppState {
    /// The state of a fresh `os` whose `GET /config` answers `config`: no session, no
    /// memory.
    pub(super) fn new(os: &'static Os, config: String) -> AppState {
        AppState {
            os,
            config: config.into(),
            store: Arc::default(),
        }
    }

    /// The `GET /config` document as JSON text.
    pub(crate) fn config_json(&self) -> &str {
        &self.config
    }

    /// The AgentOS served.
    pub(crate) fn os(&self) -> &'static Os {
        self.os
    }

    /// The store. A panic while it was held cannot leave it inconsistent (every
    /// update is one push), so a poisoned lock is simply taken over.
    pub(super) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Agents for AppState {
    fn agents(&self) -> &'static [Agent] {
        self.os.agents
    }
}

/// The records, oldest first, and the counters their ids are made of (`run-1`,
/// `session-1`, `memory-1`, ...): counters, not lengths, so an id is never reused
/// after the oldest records are dropped.
#[derive(Default)]
pub(super) struct Store {
    pub(super) runs: u64,
    sessions_created: u64,
    memories_created: u64,
    pub(super) sessions: VecDeque<Session>,
    pub(super) memories: VecDeque<Memory>,
}

impl Store {
    /// A new, empty session of `agent_id` for `user_id`, to which the caller adds runs.
    pub(super) fn add_session(&mut self, agent_id: &str, user_id: Option<String>) -> &mut Session {
        self.sessions_created += 1;
        if self.sessions.len() == MAX_STORED {
            self.sessions.pop_front();
        }
        self.sessions.push_back(Session {
            session_id: format!("session-{}", self.sessions_created),
            agent_id: agent_id.to_owned(),
            user_id,
            runs: Vec::new(),
        });
        self.sessions.back_mut().expect("just pushed")
    }

    /// Stores a memory and returns it, as the answer to the request that made it.
    pub(super) fn add_memory(
        &mut self,
        memory: String,
        user_id: Option<String>,
        topics: Vec<String>,
    ) -> Memory {
        self.memories_created += 1;
        if self.memories.len() == MAX_STORED {
            self.memories.pop_front();
        }
        let memory = Memory {
            memory_id: format!("memory-{}", self.memories_created),
            memory,
            user_id,
            topics,
        };
        self.memories.push_back(memory.clone());
        memory
    }
}

/// A session, as `GET /sessions` lists it.
#[derive(Clone, Serialize)]
pub(super) struct Session {
    pub(super) session_id: String,
    agent_id: String,
    user_id: Option<String>,
    pub(super) runs: Vec<RunRecord>,
}

/// One run of a session: what was asked and what was answered.
#[derive(Clone, Serialize)]
pub(super) struct RunRecord {
    pub(super) run_id: String,
    pub(super) input: String,
    pub(super) content: String,
}

/// A memory, as `GET /memories` lists it.
#[derive(Clone, Serialize)]
pub(super) struct Memory {
    memory_id: String,
    memory: String,
    user_id: Option<String>,
    topics: Vec<String>,
}
