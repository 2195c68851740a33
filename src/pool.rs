//! Handing connections to threads: the accepting loop, the list of open
//! connections with its limits, and the threads that wait for work.
//!
//! Every connection gets a thread of its own, so a slow client never delays
//! anybody else. Threads are reused (starting one costs more than a short
//! request), and the number of connections, hence of threads, is capped:
//! in all, and per client address, so that one client cannot take every
//! place. A connection over a cap is answered `503` from the accepting
//! thread, at once, without a thread of its own.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::io::{Read, Write};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::Duration;

use crate::Handler;
use crate::connection::{Settings, serve_connection};
use crate::listener::Listener;
use crate::log::log_request;
use crate::transport::Transport;

/// How long a thread that finished a connection waits for another before
/// it ends.
const WORKER_IDLE_TIME: Duration = Duration::from_secs(10);

/// How many connections may be open at once, in all and from one address.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Caps {
    pub total: usize,
    pub per_client: usize,
}

impl Default for Caps {
    fn default() -> Caps {
        // A browser opens about six connections to a server; 512 leaves
        // room for a classroom behind one address, and for the other
        // addresses when one floods.
        Caps {
            total: 2000,
            per_client: 512,
        }
    }
}

/// What the accepting thread and the connection threads share.
pub(crate) struct Shared {
    handler: Box<dyn Handler>,
    settings: Settings,
    caps: Caps,
    /// Serve each connection on the accepting thread, one at a time.
    one_at_a_time: bool,
    pub(crate) stopping: AtomicBool,
    open: Mutex<Open>,
    all_closed: Condvar,
    next_id: AtomicU64,
    /// New connections on their way to a thread that has nothing to do.
    handoff: Handoff,
}

/// The open connections, so a shutdown can close the idle ones and the
/// caps can be counted.
#[derive(Default)]
struct Open {
    connections: HashMap<u64, OpenConnection>,
    per_client: HashMap<IpAddr, usize>,
}

struct OpenConnection {
    stream: Arc<TcpStream>,
    idle: Arc<AtomicBool>,
    client: IpAddr,
}

/// A connection that got a place under the caps.
struct Admitted {
    id: u64,
    client: SocketAddr,
    stream: Arc<TcpStream>,
    idle: Arc<AtomicBool>,
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared")
            .field("settings", &self.settings)
            .field("caps", &self.caps)
            .finish_non_exhaustive()
    }
}

impl Shared {
    pub(crate) fn new(
        handler: impl Handler,
        settings: Settings,
        caps: Caps,
        one_at_a_time: bool,
    ) -> Shared {
        Shared {
            handler: Box::new(handler),
            settings,
            caps,
            one_at_a_time,
            stopping: AtomicBool::new(false),
            open: Mutex::new(Open::default()),
            all_closed: Condvar::new(),
            next_id: AtomicU64::new(0),
            handoff: Handoff::default(),
        }
    }

    /// Gives `stream` a place on the list of open connections, or gives it
    /// back if there is none: too many in all, or from its address.
    fn admit(&self, stream: TcpStream, address: SocketAddr) -> Result<Admitted, TcpStream> {
        // On a dual-stack listener 127.0.0.1 arrives as ::ffff:127.0.0.1:
        // count it as the address it is.
        let client = address.ip().to_canonical();
        let mut open = lock(&self.open);
        let from_client = open.per_client.get(&client).copied().unwrap_or(0);
        if open.connections.len() >= self.caps.total || from_client >= self.caps.per_client {
            return Err(stream);
        }
        *open.per_client.entry(client).or_insert(0) += 1;
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let stream = Arc::new(stream);
        let idle = Arc::new(AtomicBool::new(true));
        let entry = OpenConnection {
            stream: Arc::clone(&stream),
            idle: Arc::clone(&idle),
            client,
        };
        open.connections.insert(id, entry);
        Ok(Admitted {
            id,
            client: address,
            stream,
            idle,
        })
    }

    /// Takes a connection off the list.
    fn release(&self, id: u64) {
        let mut open = lock(&self.open);
        if let Some(gone) = open.connections.remove(&id)
            && let Some(count) = open.per_client.get_mut(&gone.client)
        {
            *count -= 1;
            if *count == 0 {
                open.per_client.remove(&gone.client);
            }
        }
        drop(open);
        self.all_closed.notify_all();
    }

    /// Serves one admitted connection, then takes it off the list.
    fn serve(&self, connection: Admitted) {
        let handler = &*self.handler;
        let Admitted {
            id,
            client,
            stream,
            idle,
        } = connection;
        let transport = Transport::shared_tcp(stream);
        serve_connection(
            transport,
            client,
            handler,
            &self.settings,
            &idle,
            &self.stopping,
        );
        self.release(id);
    }

    /// Closes the reading side of every connection that waits for a request,
    /// which wakes its thread with "end of input". Busy connections notice
    /// the shutdown once their response is sent.
    pub(crate) fn close_idle_connections(&self) {
        for connection in lock(&self.open).connections.values() {
            if connection.idle.load(Ordering::SeqCst) {
                let _ = connection.stream.shutdown(Shutdown::Read);
            }
        }
    }

    pub(crate) fn wait_until_all_closed(&self) {
        let mut open = lock(&self.open);
        while !open.connections.is_empty() {
            let (guard, timeout) = self
                .all_closed
                .wait_timeout(open, self.settings.request_timeout)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            open = guard;
            if timeout.timed_out() {
                break;
            }
        }
    }
}

/// Locks a mutex. A poisoned lock only means that a thread panicked while
/// holding it; the data inside is still fine, so carry on.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Accepts connections until the server stops. One at a time, each is
/// served right here; otherwise each goes to a thread: one that is free,
/// or a new one.
pub(crate) fn accept_loop(listener: &Listener, shared: &Arc<Shared>) {
    loop {
        let stream = listener.accept();
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else {
            // Usually "too many open files": give connections a moment to
            // close rather than spinning.
            thread::sleep(Duration::from_millis(10));
            continue;
        };
        let Ok(client) = stream.peer_addr() else {
            continue; // already gone
        };
        let admitted = match shared.admit(stream, client) {
            Ok(admitted) => admitted,
            Err(stream) => {
                // Logged as the address it is (see admit).
                refuse_busy(stream, client.ip().to_canonical());
                continue;
            }
        };
        if shared.one_at_a_time {
            shared.serve(admitted);
        } else if let Some(admitted) = shared.handoff.offer(admitted) {
            start_thread(admitted, Arc::clone(shared));
        }
    }
    shared.handoff.close();
}

/// Answers `503` on a connection that got no place, without waiting for
/// anything: the answer is small enough for the socket's send buffer, so
/// one write that cannot block sends it, and the accepting thread goes on.
///
/// What the client already sent is read first, so that closing does not
/// make the system reset the connection (which can destroy the answer).
fn refuse_busy(stream: TcpStream, client: IpAddr) {
    let mut response = crate::Response::new();
    response.send_error(503, "the server has too many connections; try again soon");
    let mut out = Vec::new();
    crate::wire::serialize(&response, &mut out, false, Some("close"));
    if stream.set_nonblocking(true).is_ok() {
        let mut scratch = [0; 4096];
        for _ in 0..16 {
            match (&stream).read(&mut scratch) {
                Ok(read) if read > 0 => {}
                _ => break,
            }
        }
        let _ = (&stream).write(&out);
        let _ = stream.shutdown(Shutdown::Write);
    }
    log_request(client, b"-", 503);
}

/// Where the accepting thread hands new connections to threads that have
/// finished their last one.
///
/// A thread that finished a connection waits a few seconds for another
/// one, then ends. Waiting threads all wait at once, on one condition
/// variable, so each ends after its own few seconds.
#[derive(Default)]
struct Handoff {
    state: Mutex<HandoffState>,
    arrived: Condvar,
}

#[derive(Default)]
struct HandoffState {
    /// Connections given to waiting threads and not yet picked up.
    queue: VecDeque<Admitted>,
    /// Threads waiting for a connection.
    waiting: usize,
    /// The server stopped: waiting threads should end now.
    closed: bool,
}

impl Handoff {
    /// Gives `connection` to a waiting thread, or gives it back if every
    /// thread is busy.
    fn offer(&self, connection: Admitted) -> Option<Admitted> {
        let mut state = lock(&self.state);
        if state.waiting > state.queue.len() {
            state.queue.push_back(connection);
            self.arrived.notify_one();
            None
        } else {
            Some(connection)
        }
    }

    /// Waits a while for the next connection; `None` means the thread can end.
    fn next(&self) -> Option<Admitted> {
        let mut state = lock(&self.state);
        state.waiting += 1;
        let (mut state, _) = self
            .arrived
            .wait_timeout_while(state, WORKER_IDLE_TIME, |state| {
                state.queue.is_empty() && !state.closed
            })
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state.waiting -= 1;
        // Take a connection even if the wait timed out: `offer` counted on
        // this thread when it queued one.
        state.queue.pop_front()
    }

    /// Lets every waiting thread end.
    fn close(&self) {
        lock(&self.state).closed = true;
        self.arrived.notify_all();
    }
}

/// Starts a thread for `first`, which then serves what the handoff brings.
/// A thread exists only for an admitted connection (or waits a few seconds
/// after one), so there are never many more threads than the cap.
fn start_thread(first: Admitted, shared: Arc<Shared>) {
    let id = first.id;
    let worker = Arc::clone(&shared);
    let started = thread::Builder::new()
        .name("connection".into())
        .spawn(move || {
            let mut next = Some(first);
            while let Some(connection) = next {
                worker.serve(connection);
                next = worker.handoff.next();
            }
        });
    if started.is_err() {
        // Out of threads: the connection is closed (its stream is dropped
        // with the closure), and the client sees it closed. Nothing better
        // can be done without a thread to do it.
        shared.release(id);
    }
}
