//! A real HTTP receiver on loopback for webhook tests: it records every request (headers and
//! body) and answers 200, 500, or 200 after a delay longer than the sender's timeout, as the test
//! sets it.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How the receiver answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Answer {
    Ok = 0,
    ServerError = 1,
    /// Waits 3 s before answering 200.
    Slow = 2,
}

/// A request as received.
#[derive(Debug, Clone)]
pub struct Hit {
    pub path: String,
    /// Header names in lower case.
    pub headers: HashMap<String, String>,
    pub body: String,
}

pub struct Receiver {
    pub port: u16,
    answer: Arc<AtomicU8>,
    hits: Arc<Mutex<Vec<Hit>>>,
}

impl Receiver {
    pub fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().unwrap().port();
        let answer = Arc::new(AtomicU8::new(Answer::Ok as u8));
        let hits = Arc::new(Mutex::new(Vec::new()));
        let (a, h) = (answer.clone(), hits.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (a, h) = (a.clone(), h.clone());
                std::thread::spawn(move || serve(stream, &a, &h));
            }
        });
        Receiver { port, answer, hits }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn answer(&self, answer: Answer) {
        self.answer.store(answer as u8, Ordering::SeqCst);
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }

    /// Waits until `n` requests arrived (or `timeout` passed); returns them.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Hit> {
        let started = Instant::now();
        while self.hits().len() < n && started.elapsed() < timeout {
            std::thread::sleep(Duration::from_millis(20));
        }
        self.hits()
    }
}

fn serve(stream: TcpStream, answer: &AtomicU8, hits: &Mutex<Vec<Hit>>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut writer = stream;
    // One request per connection: answered with `Connection: close`.
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 {
            return;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    hits.lock().unwrap().push(Hit {
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let status = match answer.load(Ordering::SeqCst) {
        1 => "500 Internal Server Error",
        2 => {
            std::thread::sleep(Duration::from_secs(3));
            "200 OK"
        }
        _ => "200 OK",
    };
    let _ = write!(
        writer,
        "HTTP/1.1 {status}\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok"
    );
    let _ = writer.flush();
}
