//! [`ScopeFuture`]: the inner service's future, or an immediate refusal.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::response::Response;

pin_project_lite::pin_project! {
    /// The response future of [`ScopeService`](super::ScopeService): the inner
    /// service's, or an immediate refusal.
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
    }
}

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
}

impl<F, E> Future for ScopeFuture<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            FutureStateProj::Inner { future } => future.poll(cx),
            // A future polled after it completed is a bug of the caller (hyper and
            // tower never do it); panicking says so where `Pending` would hang the
            // connection without a trace, as tower-http's futures do.
            FutureStateProj::Ready { response } => Poll::Ready(Ok(response
                .take()
                .expect("ScopeFuture polled after completion"))),
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
