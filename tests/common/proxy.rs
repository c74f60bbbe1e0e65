//! An HTTP CONNECT proxy for tests, like the ones company networks use: it
//! tunnels only to the package registries and remembers every host asked for.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The hosts a package install needs; anything else is refused.
const REGISTRIES: [&str; 2] = ["pypi.org", "files.pythonhosted.org"];

pub struct ConnectProxy {
    pub addr: SocketAddr,
    asked: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl ConnectProxy {
    /// Listens on `ip` (a port of the system's choosing).
    pub async fn start(ip: IpAddr) -> Self {
        let listener = TcpListener::bind((ip, 0)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let asked = Arc::new(Mutex::new(Vec::new()));
        let seen = asked.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(tunnel(client, seen.clone()));
            }
        });
        Self { addr, asked, task }
    }

    /// Every `host:port` a client asked to reach, in order.
    pub fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn tunnel(mut client: TcpStream, asked: Arc<Mutex<Vec<String>>>) {
    let Some(target) = read_connect(&mut client).await else {
        let _ = client
            .write_all(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n")
            .await;
        return;
    };
    asked.lock().unwrap().push(target.clone());
    let host = target.rsplit_once(':').map_or(target.as_str(), |(h, _)| h);
    if !REGISTRIES.contains(&host) || !target.ends_with(":443") {
        let _ = client.write_all(b"HTTP/1.1 403 Forbidden\r\n\r\n").await;
        return;
    }
    let Ok(mut upstream) = TcpStream::connect(&target).await else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
        return;
    };
    if client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .await
        .is_ok()
    {
        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
    }
}

/// The `host:port` of a `CONNECT host:port HTTP/1.1` request, read up to the
/// end of its headers (and no further: the rest is the tunnel's).
async fn read_connect(client: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 8192 || client.read(&mut byte).await.ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).ok()?;
    let mut words = head.lines().next()?.split_whitespace();
    (words.next()? == "CONNECT").then_some(())?;
    words.next().map(str::to_owned)
}
