//! Whether the client that sent the request being served is still connected. A request waits
//! for a database connection in a queue ([`crate::state::AppState::run`]); when its client has
//! gone meanwhile (a timeout, a load balancer giving up, a load generator stopping), nobody will
//! read the answer, and serving it only makes every request behind it wait longer. actix-web
//! does not drop a handler when its client leaves (actix/actix-web#3462), so the server keeps a
//! duplicate of each accepted socket and looks at it when a request's turn comes: the request
//! gives up before any database work, as Go's `net/http` cancels a request's context when its
//! connection closes.

use std::io::ErrorKind;
use std::net::TcpStream;
use std::sync::Arc;

/// A duplicate of one accepted connection's socket, to peek at (never read or written).
#[derive(Debug, Clone)]
pub struct Peer(Arc<TcpStream>);

impl Peer {
    /// The peer of a connection as actix hands it to `on_connect` (plain TCP only).
    pub fn of_connection(connection: &dyn std::any::Any) -> Option<Peer> {
        use std::os::fd::AsFd;
        let stream = connection.downcast_ref::<actix_web::rt::net::TcpStream>()?;
        let owned = stream.as_fd().try_clone_to_owned().ok()?;
        Some(Peer(Arc::new(TcpStream::from(owned))))
    }

    /// True once the client has closed its end (end of stream with nothing left unread) or the
    /// connection failed. The socket is non-blocking (the runtime made it so, and a duplicate
    /// shares that), so this never waits.
    pub fn gone(&self) -> bool {
        let mut byte = [0u8; 1];
        match self.0.peek(&mut byte) {
            Ok(0) => true,
            Ok(_) => false,
            Err(e) if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::Interrupted => {
                false
            }
            Err(_) => true,
        }
    }
}

tokio::task_local! {
    /// The client of the request this task serves (set by [`serving`]; none in [`regardless`]).
    static CLIENT: Option<Peer>;
}

/// Runs a request's handling with its client known to [`gone`].
pub async fn serving<F: std::future::Future>(peer: Option<Peer>, handling: F) -> F::Output {
    CLIENT.scope(peer, handling).await
}

/// Runs work that must be done whether or not the client still waits, such as recording the
/// answer to an `Idempotency-Key` after the effect happened.
pub async fn regardless<F: std::future::Future>(work: F) -> F::Output {
    CLIENT.scope(None, work).await
}

/// Whether the client of the request this task serves has gone; false outside a request
/// (background work is never abandoned).
pub fn gone() -> bool {
    CLIENT
        .try_with(|peer| peer.as_ref().is_some_and(Peer::gone))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_closed_client_is_gone_and_unread_data_is_not() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (accepted, _) = listener.accept().unwrap();
        accepted.set_nonblocking(true).unwrap();
        let peer = Peer(Arc::new(accepted));
        assert!(!peer.gone(), "connected, nothing sent");
        client.write_all(b"GET / HTTP/1.1\r\n").unwrap();
        client.flush().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(!peer.gone(), "unread bytes are a client still there");
        drop(client);
        std::thread::sleep(std::time::Duration::from_millis(50));
        // The unread request is still ahead of the end of stream: a pipelined request counts
        // as a client still there, which errs on the side of serving.
        assert!(!peer.gone());
        let mut sink = Vec::new();
        let mut stream: &TcpStream = &peer.0;
        let _ = std::io::Read::read_to_end(&mut stream, &mut sink);
        assert!(peer.gone(), "closed once everything sent was read");
    }
}
