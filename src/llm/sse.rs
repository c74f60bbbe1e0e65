//! Server-sent events from a streamed HTTP body, parsed by `eventsource-stream`
//! (which also keeps a UTF-8 character split across two network packets whole).

use crate::error::LlmError;
use crate::provider_id::ProviderId;
use bytes::Bytes;
use eventsource_stream::{EventStreamError, Eventsource};
use futures_util::{Stream, StreamExt};
use std::pin::Pin;

pub use eventsource_stream::Event;

type Events = Pin<Box<dyn Stream<Item = Result<Event, EventStreamError<String>>> + Send>>;

/// The events of one streamed reply, in order.
pub struct SseStream {
    provider: ProviderId,
    events: Events,
}

impl SseStream {
    pub fn from_response(provider: ProviderId, response: reqwest::Response) -> Self {
        Self::from_bytes(
            provider,
            response.bytes_stream().map(|chunk| {
                chunk.map_err(|err| {
                    let mut reason = err.to_string();
                    let mut source = std::error::Error::source(&err);
                    while let Some(inner) = source {
                        reason = format!("{reason}: {inner}");
                        source = inner.source();
                    }
                    reason
                })
            }),
        )
    }

    /// Events from raw body chunks, however they were split.
    pub fn from_bytes<S>(provider: ProviderId, chunks: S) -> Self
    where
        S: Stream<Item = Result<Bytes, String>> + Send + 'static,
    {
        Self {
            provider,
            events: Box::pin(chunks.eventsource()),
        }
    }

    /// The next event; `None` when the body has ended.
    pub async fn next(&mut self) -> Result<Option<Event>, LlmError> {
        match self.events.next().await {
            None => Ok(None),
            Some(Ok(event)) => Ok(Some(event)),
            Some(Err(EventStreamError::Transport(reason))) => Err(LlmError::Interrupted {
                provider: self.provider,
                reason,
            }),
            Some(Err(err)) => Err(LlmError::Malformed {
                provider: self.provider,
                reason: format!("the event stream is broken: {err}"),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn parse(chunks: Vec<&'static [u8]>) -> Vec<Event> {
        let stream = futures_util::stream::iter(
            chunks
                .into_iter()
                .map(|c| Ok::<_, String>(Bytes::from_static(c))),
        );
        let mut sse = SseStream::from_bytes(ProviderId::Gemini, stream);
        let mut out = Vec::new();
        while let Some(event) = sse.next().await.unwrap() {
            out.push(event);
        }
        out
    }

    #[tokio::test]
    async fn events_survive_splits_inside_crlf_fields_and_characters() {
        // "é" is 0xC3 0xA9; the split falls between its two bytes, and between \r and \n.
        let events = parse(vec![
            b"event: a\r",
            b"\ndata: {\"t\":\"caf\xC3",
            b"\xA9\"}\r\n\r",
            b"\nda",
            b"ta: two\n\n",
        ])
        .await;
        assert_eq!(events.len(), 2, "{events:?}");
        assert_eq!(events[0].event, "a");
        assert_eq!(events[0].data, "{\"t\":\"café\"}");
        assert_eq!(events[1].data, "two");
    }
}
