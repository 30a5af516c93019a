//! The counting protocol behind [`WorkQueue`](super::WorkQueue): two words, one written by
//! producers and one by consumers, each on a cache line of its own.
//!
//! Producers' word, `put_word`:
//!
//! ```text
//! bit 0        SHUT           shutdown() was called
//! bit 1        (unused)
//! bits 2..24   in-flight puts: counted before their try_send, uncounted after. A getter only
//!              reports ShutDown when none is in flight, so an item whose put began before the
//!              shutdown is never stranded behind a getter that already gave up. A put is in
//!              flight only around one non-blocking try_send, so 2^22 of them at once would
//!              take as many threads.
//! bits 24..64  puts counted, a 40-bit count that wraps
//! ```
//!
//! Consumers' word, `done_word`:
//!
//! ```text
//! bit 0        JOIN_WAIT      some thread is in join(); task_done only wakes when it is set
//! bit 1        PUTTERS_WAIT   the putters' wait list is non-empty
//! bits 24..64  tasks done, a 40-bit count that wraps
//! ```
//!
//! Unfinished tasks are `puts - done` (mod 2^40); a put panics before that reaches 2^39.
//!
//! Between the two sits `ready`, the one word both sides write: items sent and not yet
//! claimed, getters spinning for one, and GETTERS_WAIT. A put adds to it after its send and
//! learns from the same add whether to wake a getter; a get claims one from it before its
//! `try_recv`, so that getters wait on an atomic rather than on flume's lock. The producers'
//! word is read by consumers only on the slow path (shutdown, or a copy used up).
//!
//! `task_done` is one compare-and-swap on the consumers' line. It checks "not more
//! task_done calls than puts" against counts kept on that line: the items taken so far
//! (each one a put that cannot fail any more), else a copy of the settled put count
//! (`puts - in-flight` never decreases, so an old copy is a safe lower bound); only when
//! both are used up (a task_done for an item nobody took, as Python allows) does it read
//! the producers' word.
//!
//! Who sleeps where: joiners on `all_done`, blocked getters and putters in their
//! [`WaitList`]s. Each side sets its flag before its last check and the other side reads the
//! flag after its own change (every access is `SeqCst`), so one of them always sees the other.

use std::ops::Deref;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::sync::atomic::Ordering::{Relaxed, SeqCst};
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use super::sync::{AtomicU64, Chan, Condvar, Mutex, spin_loop, thread};
use super::wait::{Registration, ThreadWaker, WaitList, lock};
use crate::error::{GetError, PutError, TaskDoneError};
use crate::unpoison::Unpoison;

const SHUT: u64 = 1;
const INFLIGHT_SHIFT: u32 = 2;
const INFLIGHT_UNIT: u64 = 1 << INFLIGHT_SHIFT;
const COUNT_SHIFT: u32 = 24;
const INFLIGHT_MASK: u64 = (1 << COUNT_SHIFT) - INFLIGHT_UNIT;
const COUNT_UNIT: u64 = 1 << COUNT_SHIFT;
const COUNT_MASK: u64 = u64::MAX >> COUNT_SHIFT;

const JOIN_WAIT: u64 = 1;
const PUTTERS_WAIT: u64 = 1 << 1;

/// Unfinished tasks a queue refuses to go beyond (a put panics), far below the wrap.
const MAX_TASKS: u64 = 1 << 39;
/// A put checks the unfinished count once every this many puts: it needs the consumers'
/// word, which the common path never reads.
const CHECK_EVERY: u64 = 1 << 16;

/// The `ready` word: items ready (bits 0..43), getters spinning for one (bits 43..63), and
/// GETTERS_WAIT (bit 63): the getters' wait list is non-empty. Everything a put and a get
/// need to know of each other is in this one word, so each sees the other in the result of
/// its own read-modify-write.
const SPIN_SHIFT: u32 = 43;
const SPIN_UNIT: u64 = 1 << SPIN_SHIFT;
const READY_MASK: u64 = SPIN_UNIT - 1;
const GETTERS_WAIT: u64 = 1 << 63;
const SPIN_MASK: u64 = !READY_MASK & !GETTERS_WAIT;

/// Attempts a blocking get or put makes before it registers and parks (fewer under loom,
/// where each is a branch of the model to explore).
const BACKOFF_STEPS: u32 = if cfg!(loom) { 2 } else { 10 };

fn count(word: u64) -> u64 {
    word >> COUNT_SHIFT
}

fn inflight(word: u64) -> u64 {
    (word & INFLIGHT_MASK) >> INFLIGHT_SHIFT
}

/// `a - b` in the 40-bit wrapping counts.
fn diff(a: u64, b: u64) -> u64 {
    a.wrapping_sub(b) & COUNT_MASK
}

/// Keeps a field on a cache line of its own (two, against adjacent-line prefetch).
#[repr(align(128))]
struct Padded<T>(T);

impl<T> Deref for Padded<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

struct DoneLine {
    word: AtomicU64,
    /// A settled put count (`puts - in-flight`) read from the producers' word at some point.
    settled_seen: AtomicU64,
    /// Items taken by getters, ever (wrapping), or fewer. Every one was put for good (a put
    /// cannot fail once its item is ready), so `done < taken` lets `task_done` go ahead
    /// without reading the producers' line, also when the consumers keep right up with them.
    taken: AtomicU64,
}

pub(super) struct Inner<T> {
    // The queue holds the only sender and receiver: the channel never disconnects, and
    // shutdown lives in `put_word` instead.
    pub(super) chan: Chan<T>,
    pub(super) capacity: Option<usize>,
    put_word: Padded<AtomicU64>,
    /// Items in the channel that no getter has claimed yet, getters spinning for one, and
    /// whether any sleeps (see `SPIN_SHIFT`). A getter takes an item only after claiming one
    /// here, so waiting getters watch this word instead of taking flume's lock, and only one
    /// of them goes for each item that arrives. A put that sees a spinner wakes nobody: the
    /// spinner takes the item, or passes the wake-up on once it stops spinning.
    ready: Padded<AtomicU64>,
    done: Padded<DoneLine>,
    pub(super) getters: WaitList,
    pub(super) putters: WaitList,
    /// Number of threads in `join`, guarding `all_done`.
    pub(super) joiners: Mutex<usize>,
    all_done: Condvar,
}

/// Waits a little between attempts, until `arrived` says there is something to try:
/// parking costs two system calls and a wake-up from the other side, while an item or a
/// slot usually turns up within microseconds under load. Spins first, then yields (as
/// crossbeam's `Backoff` does).
fn backoff(step: u32, arrived: impl Fn() -> bool) {
    if step < 6 {
        for _ in 0..1u32 << step {
            if arrived() {
                return;
            }
            spin_loop();
        }
    } else {
        thread::yield_now();
    }
}

impl<T> Inner<T> {
    pub(super) fn new(capacity: Option<usize>) -> Self {
        Inner {
            chan: Chan::new(capacity),
            capacity,
            put_word: Padded(AtomicU64::new(0)),
            ready: Padded(AtomicU64::new(0)),
            done: Padded(DoneLine {
                word: AtomicU64::new(0),
                settled_seen: AtomicU64::new(0),
                taken: AtomicU64::new(0),
            }),
            getters: WaitList::new(GETTERS_WAIT),
            putters: WaitList::new(PUTTERS_WAIT),
            joiners: Mutex::new(0),
            all_done: Condvar::new(),
        }
    }

    pub(super) fn is_shut_down(&self) -> bool {
        self.put_word.load(SeqCst) & SHUT != 0
    }

    pub(super) fn unfinished(&self) -> u64 {
        // Consumers' word first: a task moves from counted to done, never back, so reading
        // `done` first can only overstate what is unfinished, never report a false 0.
        let done = count(self.done.word.load(SeqCst));
        diff(count(self.put_word.load(SeqCst)), done)
    }

    pub(super) fn try_put(&self, item: T) -> Result<(), PutError<T>> {
        // Refused puts must not touch the counts: a flood of them would keep the in-flight
        // count from ever reading 0 (getters and shutdown_now wait for that).
        if self.is_shut_down() {
            return Err(PutError::ShutDown(item));
        }
        let prev = self.put_word.fetch_add(COUNT_UNIT + INFLIGHT_UNIT, SeqCst);
        if prev & SHUT != 0 {
            self.undo_put();
            return Err(PutError::ShutDown(item));
        }
        if count(prev) % CHECK_EVERY == 0 && self.unfinished() >= MAX_TASKS {
            self.undo_put();
            panic!("WorkQueue: too many unfinished tasks");
        }
        match self.chan.try_send(item) {
            Ok(()) => {
                // Ready before out of flight: a getter that sees no put in flight after a
                // shutdown then sees this item too.
                let ready = self.ready.fetch_add(1, SeqCst);
                self.put_word.fetch_sub(INFLIGHT_UNIT, SeqCst);
                // A getter sets the flag in this word before its last claim attempt, so
                // either that attempt sees the item or this add sees the flag.
                if ready & GETTERS_WAIT != 0 && ready & SPIN_MASK == 0 {
                    self.getters.notify_one(&self.ready);
                }
                Ok(())
            }
            Err(item) => {
                self.undo_put();
                Err(PutError::Full(item))
            }
        }
    }

    fn undo_put(&self) {
        self.put_word.fetch_sub(COUNT_UNIT + INFLIGHT_UNIT, SeqCst);
        self.wake_joiners_if_done();
    }

    /// `waiting` is `None` for a non-blocking attempt.
    pub(super) fn poll_put(
        &self,
        item: &mut Option<T>,
        mut waiting: Option<(&mut Registration<'_>, &Waker)>,
    ) -> Poll<Result<(), PutError<T>>> {
        let mut just_registered = false;
        loop {
            let result = self.try_put(item.take().expect("polled after completion"));
            match (result, waiting.as_mut()) {
                (Err(PutError::Full(back)), Some((reg, waker))) => {
                    *item = Some(back);
                    if just_registered || reg.wait_with(waker) {
                        return Poll::Pending;
                    }
                    just_registered = true;
                }
                (result, waiting) => {
                    if let Some((reg, _)) = waiting {
                        reg.complete();
                    }
                    return Poll::Ready(result);
                }
            }
        }
    }

    pub(super) fn putters_registration(&self) -> Registration<'_> {
        Registration::new(&self.putters, &self.done.word)
    }

    pub(super) fn getters_registration(&self) -> Registration<'_> {
        Registration::new(&self.getters, &self.ready)
    }

    /// The rest of a put whose first attempt found the queue full. Kept out of line so that
    /// the common path stays a few instructions around the flume send.
    #[inline(never)]
    pub(super) fn put_blocking(
        &self,
        item: T,
        timeout: Option<Duration>,
    ) -> Result<(), PutError<T>> {
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        let mut item = Some(item);
        for step in 0..BACKOFF_STEPS {
            let seen = self.done.word.load(Relaxed);
            match self.poll_put(&mut item, None) {
                Poll::Ready(Err(PutError::Full(back))) => item = Some(back),
                Poll::Ready(result) => return result,
                Poll::Pending => unreachable!(),
            }
            // A slot frees when a getter takes an item; the consumers' word moves when they
            // finish one, which is the closest cheap signal.
            backoff(step, || self.done.word.load(Relaxed) != seen);
        }
        let parker = ThreadWaker::current();
        let waker = Waker::from(Arc::clone(&parker));
        let mut reg = self.putters_registration();
        loop {
            if let Poll::Ready(result) = self.poll_put(&mut item, Some((&mut reg, &waker))) {
                return result;
            }
            if !parker.park_until(deadline) {
                drop(reg);
                return match self.poll_put(&mut item, None) {
                    Poll::Ready(result) => result,
                    Poll::Pending => unreachable!(),
                };
            }
        }
    }

    /// After an item left the channel: wake one putter waiting for room, if any.
    pub(super) fn slot_freed(&self) {
        if self.capacity.is_some() && self.done.word.load(SeqCst) & PUTTERS_WAIT != 0 {
            self.putters.notify_one(&self.done.word);
        }
    }

    /// Claims one ready item, if there is one.
    fn claim(&self) -> bool {
        let mut ready = self.ready.load(SeqCst);
        while ready & READY_MASK != 0 {
            match self
                .ready
                .compare_exchange_weak(ready, ready - 1, SeqCst, SeqCst)
            {
                Ok(_) => return true,
                Err(actual) => ready = actual,
            }
        }
        false
    }

    /// Claims an item and takes it from the channel.
    pub(super) fn try_recv(&self) -> Option<T> {
        if !self.claim() {
            return None;
        }
        // Every claimed item was sent before it was counted ready, and every receive is
        // preceded by its own claim, so the channel holds it.
        let item = self
            .chan
            .try_recv()
            .expect("WorkQueue: a claimed item is in the channel");
        // A plain load and store, not an atomic add: racing getters may lose a count, which
        // only makes it a lower bound (task_done then falls back to the settled count), and
        // no store can write more than were taken. It saves a locked instruction per get.
        let taken = &self.done.taken;
        taken.store(taken.load(Relaxed).wrapping_add(1), Relaxed);
        self.slot_freed();
        Some(item)
    }

    /// `waiting` is `None` for a non-blocking attempt.
    pub(super) fn poll_get(
        &self,
        mut waiting: Option<(&mut Registration<'_>, &Waker)>,
    ) -> Poll<Result<T, GetError>> {
        let mut just_registered = false;
        let result = loop {
            if let Some(item) = self.try_recv() {
                break Ok(item);
            }
            let word = self.put_word.load(SeqCst);
            if word & SHUT != 0 {
                if word & INFLIGHT_MASK == 0 {
                    // No put can add anything any more: what is there now is all there is.
                    break self.try_recv().ok_or(GetError::ShutDown);
                }
                // A put that began before the shutdown is finishing its non-blocking send.
                #[cfg(test)]
                super::tests::INFLIGHT_WAITS.fetch_add(1, SeqCst);
                thread::yield_now();
                continue;
            }
            let Some((reg, waker)) = waiting.as_mut() else {
                break Err(GetError::Empty);
            };
            if just_registered || reg.wait_with(waker) {
                return Poll::Pending;
            }
            just_registered = true;
        };
        if let Some((reg, _)) = waiting {
            reg.complete();
        }
        Poll::Ready(result)
    }

    /// The rest of a get whose first attempt found the queue empty; out of line like
    /// [`put_blocking`](Self::put_blocking).
    #[inline(never)]
    pub(super) fn get_blocking(&self, timeout: Option<Duration>) -> Result<T, GetError> {
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        if let Some(item) = self.spin_for_item() {
            return Ok(item);
        }
        let parker = ThreadWaker::current();
        let waker = Waker::from(Arc::clone(&parker));
        let mut reg = self.getters_registration();
        loop {
            if let Poll::Ready(result) = self.poll_get(Some((&mut reg, &waker))) {
                return result;
            }
            if !parker.park_until(deadline) {
                drop(reg);
                return match self.poll_get(None) {
                    Poll::Ready(result) => result,
                    Poll::Pending => unreachable!(),
                };
            }
        }
    }

    /// Waits briefly for an item without parking, watching the count of ready items rather
    /// than taking flume's lock again and again.
    fn spin_for_item(&self) -> Option<T> {
        // Counted as a spinner only while getters sleep: then a put that sees us wakes
        // nobody. With nobody asleep there is nobody to spare a wake-up, and the count
        // would only add two atomic operations on the shared line to every caught-up get.
        let counted = self.ready.load(SeqCst) & GETTERS_WAIT != 0;
        if counted {
            self.ready.fetch_add(SPIN_UNIT, SeqCst);
        }
        let mut found = None;
        for step in 0..BACKOFF_STEPS {
            backoff(step, || self.ready.load(Relaxed) & READY_MASK != 0);
            found = self.try_recv();
            if found.is_some() {
                break;
            }
        }
        if counted {
            // Puts that saw us spinning woke nobody. If their items are still there, pass
            // the wake-up on to a parked getter now (a getter that parks after this load
            // claims once more first, and sees them).
            let ready = self.ready.fetch_sub(SPIN_UNIT, SeqCst);
            if ready & READY_MASK != 0 && ready & GETTERS_WAIT != 0 {
                self.getters.notify_one(&self.ready);
            }
        }
        found
    }

    pub(super) fn task_done(&self) -> Result<(), TaskDoneError> {
        let line = &*self.done;
        let mut word = line.word.load(SeqCst);
        loop {
            let done = count(word);
            // Each put in flight counted one task before knowing whether its send succeeds,
            // so only settled puts may be marked done; while puts are in flight and none is
            // settled yet, wait for them (one try_send each).
            let mut room = diff(line.taken.load(Relaxed), done);
            if room == 0 || room >= MAX_TASKS {
                room = diff(line.settled_seen.load(Relaxed), done);
            }
            if room == 0 || room >= MAX_TASKS {
                let puts = self.put_word.load(SeqCst);
                let settled = diff(count(puts), inflight(puts));
                line.settled_seen.store(settled, Relaxed);
                room = diff(settled, done);
                if room == 0 || room >= MAX_TASKS {
                    if inflight(puts) == 0 {
                        return Err(TaskDoneError);
                    }
                    thread::yield_now();
                    word = line.word.load(SeqCst);
                    continue;
                }
            }
            match line
                .word
                .compare_exchange_weak(word, word + COUNT_UNIT, SeqCst, SeqCst)
            {
                Ok(prev) => {
                    if prev & JOIN_WAIT != 0 {
                        self.wake_joiners_if_done();
                    }
                    return Ok(());
                }
                Err(actual) => word = actual,
            }
        }
    }

    /// After a count changed: wake the joiners if nothing is unfinished and somebody joins.
    fn wake_joiners_if_done(&self) {
        if self.done.word.load(SeqCst) & JOIN_WAIT != 0 && self.unfinished() == 0 {
            let _joiners = lock(&self.joiners);
            self.all_done.notify_all();
        }
    }

    pub(super) fn join_deadline(&self, deadline: Option<Instant>) -> bool {
        if self.unfinished() == 0 {
            return true;
        }
        let mut joiners = lock(&self.joiners);
        *joiners += 1;
        // Set under the lock a waking task_done takes, after which we check the count:
        // either we see 0, or the task_done that makes it 0 sees the flag and notifies.
        self.done.word.fetch_or(JOIN_WAIT, SeqCst);
        let all_done = loop {
            if self.unfinished() == 0 {
                break true;
            }
            let now = Instant::now();
            match deadline {
                None => {
                    joiners = self.all_done.wait(joiners).unpoisoned();
                }
                Some(deadline) if now < deadline => {
                    joiners = self
                        .all_done
                        .wait_timeout(joiners, deadline - now)
                        .unpoisoned()
                        .0;
                }
                Some(_) => break false,
            }
        };
        *joiners -= 1;
        if *joiners == 0 {
            self.done.word.fetch_and(!JOIN_WAIT, SeqCst);
        }
        all_done
    }

    pub(super) fn shutdown(&self) {
        self.put_word.fetch_or(SHUT, SeqCst);
        self.wake_all();
    }

    fn wake_all(&self) {
        self.getters.notify_all(&self.ready);
        self.putters.notify_all(&self.done.word);
    }

    pub(super) fn shutdown_now(&self) {
        self.put_word.fetch_or(SHUT, SeqCst);
        // Let the puts that began before the shutdown land, so that they are discarded too.
        while self.put_word.load(SeqCst) & INFLIGHT_MASK != 0 {
            thread::yield_now();
        }
        // Each discarded item is dropped, then counted done (saturating, as CPython: the
        // user may have called task_done for queued items). An item whose Drop panics is
        // counted all the same, the rest are still discarded, everybody still wakes, and
        // the first such panic goes on to the caller once the queue is consistent.
        let mut panicked = None;
        while let Some(item) = self.try_recv() {
            if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| drop(item))) {
                match panicked {
                    None => panicked = Some(payload),
                    Some(_) => crate::panics::drop_payload(payload),
                }
            }
            let _ = self.task_done();
        }
        self.wake_all();
        if let Some(payload) = panicked {
            panic::resume_unwind(payload);
        }
    }
}

#[cfg(test)]
impl<T> Inner<T> {
    /// The first half of a put: counted as a task and in flight, not yet sent.
    pub(super) fn begin_put_by_hand(&self) {
        self.put_word.fetch_add(COUNT_UNIT + INFLIGHT_UNIT, SeqCst);
    }

    /// The second half: the send, then leaving the in-flight count.
    pub(super) fn finish_put_by_hand(&self, item: T) {
        assert!(self.chan.try_send(item).is_ok());
        self.ready.fetch_add(1, SeqCst);
        self.put_word.fetch_sub(INFLIGHT_UNIT, SeqCst);
    }
}
