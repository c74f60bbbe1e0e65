//! A scripted OpenAI-compatible server on 127.0.0.1 for the window tests: it lists
//! one model and streams its scripted replies in the Chat Completions SSE format,
//! in order (the last one again once they run out), a piece at a time, with token
//! usage at the end. Plain std networking (one thread, one
//! connection at a time, `Connection: close`), and it keeps every request body so
//! the test can compare "What was sent" with what really arrived.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const MODEL: &str = "local-model";
pub const REPLY: [&str; 3] = ["The table has ", "200 rows ", "from 5 stations."];
pub const INPUT_TOKENS: u64 = 321;
pub const OUTPUT_TOKENS: u64 = 12;

pub struct ChatServer {
    pub base_url: String,
    bodies: Arc<Mutex<Vec<Value>>>,
}

/// One reply, as the pieces it streams in.
pub type Reply = Vec<String>;

impl ChatServer {
    /// Answers every question with [`REPLY`].
    pub fn start() -> Self {
        Self::scripted(vec![REPLY.iter().map(|p| p.to_string()).collect()])
    }

    /// Answers the n-th chat request with `replies[n]` (the last one after that).
    pub fn scripted(replies: Vec<Reply>) -> Self {
        assert!(!replies.is_empty(), "a scripted server needs a reply");
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}/v1", listener.local_addr().unwrap());
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let seen = bodies.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = answer(stream, &seen, &replies);
            }
        });
        Self { base_url, bodies }
    }

    /// The JSON bodies of the chat requests received so far.
    pub fn chat_requests(&self) -> Vec<Value> {
        self.bodies.lock().unwrap().clone()
    }
}

fn answer(stream: TcpStream, bodies: &Mutex<Vec<Value>>, replies: &[Reply]) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        if line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let mut out = stream;
    if request_line.starts_with("GET /v1/models") {
        let models = json!({"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "test"}]});
        let text = models.to_string();
        write!(
            out,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
            text.len()
        )?;
        return Ok(());
    }
    if !request_line.starts_with("POST /v1/chat/completions") {
        write!(
            out,
            "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
        )?;
        return Ok(());
    }
    let reply = {
        let mut bodies = bodies.lock().unwrap();
        bodies.push(serde_json::from_slice(&body).unwrap_or(Value::Null));
        &replies[(bodies.len() - 1).min(replies.len() - 1)]
    };
    write!(
        out,
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n"
    )?;
    for piece in reply {
        let chunk = json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": MODEL,
            "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": null}]});
        write!(out, "data: {chunk}\n\n")?;
        out.flush()?;
        // Slow enough that the window shows the reply growing.
        std::thread::sleep(Duration::from_millis(150));
    }
    let done = json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": MODEL,
        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": INPUT_TOKENS, "completion_tokens": OUTPUT_TOKENS,
                  "total_tokens": INPUT_TOKENS + OUTPUT_TOKENS}});
    write!(out, "data: {done}\n\ndata: [DONE]\n\n")?;
    out.flush()
}
