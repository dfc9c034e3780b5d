//! SQLite has one writer at a time. Left to itself, a writer that finds the database locked
//! sleeps in growing steps (`busy_timeout`) and retries, so a writer that came later may take the
//! lock while an earlier one sleeps, again and again: under 64 concurrent writers a few requests
//! waited for seconds. Here writers of one database file queue first come, first served, in the
//! process, and enter SQLite's lock one after the other without sleeping. Reentrant per thread
//! (a write transaction inside another is a savepoint of the same connection).

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, OnceLock};

/// The queue of one database file: tickets handed out and the one being served.
#[derive(Default)]
struct Queue {
    next: u64,
    serving: u64,
}

#[derive(Default)]
struct FairGate {
    queue: Mutex<Queue>,
    turn: Condvar,
}

thread_local! {
    /// How deep this thread is inside gated write transactions.
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

fn gate_of(file: &str) -> Arc<FairGate> {
    static GATES: OnceLock<Mutex<HashMap<String, Arc<FairGate>>>> = OnceLock::new();
    let gates = GATES.get_or_init(Default::default);
    let mut gates = gates.lock().unwrap_or_else(|e| e.into_inner());
    gates.entry(file.to_string()).or_default().clone()
}

/// Leaves the gate when dropped, even if the transaction panicked.
pub struct Turn {
    gate: Option<Arc<FairGate>>,
}

impl Drop for Turn {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
        if let Some(gate) = self.gate.take() {
            let mut queue = gate.queue.lock().unwrap_or_else(|e| e.into_inner());
            queue.serving += 1;
            gate.turn.notify_all();
        }
    }
}

/// Whether this thread is inside a gated write transaction already.
pub fn held_here() -> bool {
    DEPTH.with(|d| d.get() > 0)
}

/// Waits for this thread's turn to write to `file` (at once when it already holds it).
pub fn enter(file: &str) -> Turn {
    let nested = DEPTH.with(|d| {
        let depth = d.get();
        d.set(depth + 1);
        depth > 0
    });
    if nested {
        return Turn { gate: None };
    }
    let gate = gate_of(file);
    {
        let mut queue = gate.queue.lock().unwrap_or_else(|e| e.into_inner());
        let ticket = queue.next;
        queue.next += 1;
        while queue.serving != ticket {
            queue = gate.turn.wait(queue).unwrap_or_else(|e| e.into_inner());
        }
    }
    Turn { gate: Some(gate) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn writers_take_turns_and_nest() {
        let inside = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (inside, most) = (inside.clone(), most.clone());
                std::thread::spawn(move || {
                    for _ in 0..50 {
                        let _turn = enter("gate-test.db");
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        {
                            let _nested = enter("gate-test.db");
                        }
                        inside.fetch_sub(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 1, "one writer at a time");
        // Another file has its own queue.
        let _a = enter("gate-test-a.db");
        drop(_a);
        let _b = enter("gate-test-b.db");
    }
}
