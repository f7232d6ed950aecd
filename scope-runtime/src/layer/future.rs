//! [`ScopeFuture`]: the inner service's future, an immediate refusal, or (feature
//! `jwks-url`) a short wait for a key fetch before the request is decided once more.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::response::Response;

pin_project_lite::pin_project! {
    /// The response future of [`ScopeService`](super::ScopeService): the inner
    /// service's, or an immediate refusal. With the crate feature `jwks-url`, a request
    /// refused for want of a key may first wait (at most 1 s) for a fetch of the
    /// verifier's JWKS URL sources, then is decided once more (see `JwksUrl`).
    ///
    /// # Panics
    ///
    /// If polled again after it returned `Ready` for a refusal (a broken `Future`
    /// contract on the caller's side).
    pub struct ScopeFuture<F> {
        #[pin]
        state: FutureState<F>,
    }
}

pin_project_lite::pin_project! {
    #[project = FutureStateProj]
    enum FutureState<F> {
        Inner { #[pin] future: F },
        Ready { response: Option<Response> },
        // Uninhabited without the feature `jwks-url`: the future's auto traits
        // (`Sync` included) stay those of `F`.
        Waiting { wait: KeyWait, then: Option<Redecide<F>> },
    }
}

/// The wait for a key fetch (bounded by the verifier).
#[cfg(feature = "jwks-url")]
type KeyWait = Pin<Box<dyn Future<Output = ()> + Send>>;
#[cfg(not(feature = "jwks-url"))]
type KeyWait = Never;

/// The decision made again once the wait is over, with the request and the ready
/// inner service it took along.
#[cfg(feature = "jwks-url")]
pub(super) type Redecide<F> = Box<dyn FnOnce() -> ScopeFuture<F> + Send>;
#[cfg(not(feature = "jwks-url"))]
type Redecide<F> = std::marker::PhantomData<F>;

/// No value: without the feature `jwks-url` nothing waits.
#[cfg(not(feature = "jwks-url"))]
enum Never {}

impl<F> ScopeFuture<F> {
    pub(super) fn inner(future: F) -> Self {
        ScopeFuture {
            state: FutureState::Inner { future },
        }
    }

    pub(super) fn ready(response: Response) -> Self {
        ScopeFuture {
            state: FutureState::Ready {
                response: Some(response),
            },
        }
    }

    /// Waits for `wait`, then becomes what `then` returns.
    #[cfg(feature = "jwks-url")]
    pub(super) fn waiting(wait: KeyWait, then: Redecide<F>) -> Self {
        ScopeFuture {
            state: FutureState::Waiting {
                wait,
                then: Some(then),
            },
        }
    }
}

impl<F, E> Future for ScopeFuture<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        #[cfg_attr(not(feature = "jwks-url"), expect(unused_mut))]
        let mut state = self.project().state;
        #[cfg(feature = "jwks-url")]
        if let FutureStateProj::Waiting { wait, then } = state.as_mut().project() {
            std::task::ready!(wait.as_mut().poll(cx));
            let then = then.take().expect("ScopeFuture polled after completion");
            // `then` decides again, without a second wait: the inner service's future
            // or a refusal.
            state.set(then().state);
        }
        match state.project() {
            FutureStateProj::Inner { future } => future.poll(cx),
            // A future polled after it completed is a bug of the caller (hyper and
            // tower never do it); panicking says so where `Pending` would hang the
            // connection without a trace, as tower-http's futures do.
            FutureStateProj::Ready { response } => Poll::Ready(Ok(response
                .take()
                .expect("ScopeFuture polled after completion"))),
            #[cfg(feature = "jwks-url")]
            FutureStateProj::Waiting { .. } => unreachable!("a decision made again never waits"),
            #[cfg(not(feature = "jwks-url"))]
            FutureStateProj::Waiting { wait, .. } => match *wait {},
        }
    }
}

#[cfg(test)]
mod tests {
    use std::task::Waker;

    use super::*;

    type Never = std::future::Pending<Result<Response, ()>>;

    #[test]
    #[should_panic(expected = "ScopeFuture polled after completion")]
    fn a_refusal_polled_twice_panics() {
        let mut future = std::pin::pin!(ScopeFuture::<Never>::ready(Response::new(
            axum::body::Body::empty()
        )));
        let mut cx = Context::from_waker(Waker::noop());
        assert!(future.as_mut().poll(&mut cx).is_ready());
        let _ = future.as_mut().poll(&mut cx);
    }
}
