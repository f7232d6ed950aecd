//! A router served over real TCP and a `reqwest` client for it, sending what `curl`
//! sends: the end-to-end tests of the examples talk to them through this.

use reqwest::{Method, RequestBuilder, multipart};

use crate::reply::Reply;
use crate::server::{self, Server};

/// A server on an ephemeral loopback port and an HTTP client for it, as `curl` would be.
pub struct Client {
    server: Server,
    client: reqwest::Client,
}

impl Client {
    /// Serves `router` and makes a client for it (no proxy: the server is on loopback).
    pub async fn serve(router: axum::Router) -> Client {
        let client = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("HTTP client");
        Client {
            server: server::serve(router).await,
            client,
        }
    }

    /// A request to `path`, with `Authorization: Bearer <token>` when a token is given.
    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let request = self.client.request(method, self.server.url(path));
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// `curl -H "Authorization: Bearer $TOKEN" URL`.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        fetch(self.request(Method::GET, path, token)).await
    }

    /// `curl -X POST -H "Authorization: Bearer $TOKEN" -F "message=..." URL`.
    pub async fn run_multipart(&self, agent: &str, token: Option<&str>, message: &str) -> Reply {
        let form = multipart::Form::new().text("message", message.to_owned());
        let path = format!("/agents/{agent}/runs");
        fetch(self.request(Method::POST, &path, token).multipart(form)).await
    }

    /// `curl -X POST -H "Authorization: Bearer $TOKEN" -d "message=..." URL`.
    pub async fn run_urlencoded(&self, agent: &str, token: Option<&str>, message: &str) -> Reply {
        let path = format!("/agents/{agent}/runs");
        fetch(
            self.request(Method::POST, &path, token)
                .form(&[("message", message)]),
        )
        .await
    }
}

/// Sends `request` and reads the whole response, which must be JSON: every answer of
/// the examples is.
pub async fn fetch(request: RequestBuilder) -> Reply {
    let response = request.send().await.expect("request sent");
    let reply = Reply {
        status: response.status(),
        headers: response.headers().clone(),
        body: response.bytes().await.expect("response body"),
    };
    let _ = reply.json();
    reply
}
