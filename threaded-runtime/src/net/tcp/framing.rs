//! Lines and length-prefixed frames over a byte stream, with limits.
//!
//! Data stays in the read buffer until a whole line or frame is there, so a
//! read that times out half way loses nothing: the next call goes on where it
//! stopped. The same buffer backs the connection's `Read` and `BufRead`, so
//! std readers and these decoders can take turns on one stream.

use std::io::{self, IoSlice, Read, Write};
use std::time::{Duration, Instant};

/// Bytes asked of the socket per read when nothing says more are needed.
const CHUNK: usize = 8 * 1024;
/// The most asked of the socket per read while a large frame comes in, so the
/// buffer grows with the bytes that arrive, not with what a header claims.
const MAX_CHUNK: usize = 256 * 1024;
const HEADER: usize = 4;

/// A stream that a message deadline can bound: each read after the first
/// byte of a line or frame is limited to the time the message has left.
pub(crate) trait Source: Read {
    /// Bounds the next reads by `limit` as well as by the stream's own read
    /// timeout; `None` lifts the bound again.
    fn limit_reads(&mut self, limit: Option<Duration>) -> io::Result<()>;
}

/// The `message_timeout` of one `read_line` / `read_frame`: it starts with
/// the message's first byte, not with the call, so a connection may idle
/// between messages for as long as its read timeout lets it.
struct Deadline {
    timeout: Option<Duration>,
    /// When the first byte was seen; `None` until then.
    started: Option<Instant>,
    limited: bool,
}

impl Deadline {
    fn new(timeout: Option<Duration>) -> Deadline {
        Deadline {
            timeout,
            started: None,
            limited: false,
        }
    }

    /// Called before each read, with whether part of the message is
    /// buffered already; bounds the read by the time left.
    fn before_read(&mut self, r: &mut impl Source, begun: bool) -> io::Result<()> {
        let Some(timeout) = self.timeout else {
            return Ok(());
        };
        if !begun {
            return Ok(());
        }
        let started = *self.started.get_or_insert_with(Instant::now);
        // No deadline representable (`Duration::MAX`) means none at all.
        let Some(deadline) = started.checked_add(timeout) else {
            return Ok(());
        };
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("message not complete within message_timeout ({timeout:?})"),
            ));
        }
        self.limited = true;
        r.limit_reads(Some(left))
    }

    /// Lifts the bound, if one was set, and passes `result` on.
    fn finish<T>(self, r: &mut impl Source, result: io::Result<T>) -> io::Result<T> {
        if !self.limited {
            return result;
        }
        let lifted = r.limit_reads(None);
        let value = result?;
        lifted.map(|()| value)
    }
}

/// Bytes read from a stream and not handed out yet: `buf[start..end]`.
///
/// `buf[end..]` is initialised room that earlier reads left (zeroes, or old
/// bytes never handed out again), so a read zeroes only the bytes the buffer
/// grows by, not a whole chunk each time: a large frame arriving in small
/// segments costs what arrives, not 256 KiB a read.
#[derive(Default)]
pub(crate) struct ReadBuffer {
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

impl ReadBuffer {
    pub(crate) fn buffered(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    pub(crate) fn into_vec(mut self) -> Vec<u8> {
        self.buf.truncate(self.end);
        self.buf.drain(..self.start);
        self.buf
    }

    /// Hands out `n` bytes of the buffer (at most all of it).
    pub(crate) fn consume(&mut self, n: usize) {
        self.start += n.min(self.end - self.start);
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// Reads once from `r`, appending at most `want` bytes (at least one
    /// chunk); `Ok(0)` at end of stream.
    fn fill(&mut self, r: &mut impl Read, want: usize) -> io::Result<usize> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        let room = self.end + want.clamp(CHUNK, MAX_CHUNK);
        if self.buf.len() < room {
            self.buf.resize(room, 0);
        }
        let n = read_retrying(r, &mut self.buf[self.end..room])?;
        // A reader that claims more than it was given would hand out stale room.
        assert!(
            n <= room - self.end,
            "a reader returned more bytes than it was given"
        );
        self.end += n;
        Ok(n)
    }

    /// `BufRead::fill_buf`: what is buffered, else what one read brings
    /// (empty at end of stream).
    pub(crate) fn fill_buf(&mut self, r: &mut impl Read) -> io::Result<&[u8]> {
        if self.buffered().is_empty() {
            self.fill(r, CHUNK)?;
        }
        Ok(self.buffered())
    }

    /// Like `socket.recv`: what is buffered first, else one read.
    pub(crate) fn read(&mut self, r: &mut impl Read, out: &mut [u8]) -> io::Result<usize> {
        let buffered = self.buffered();
        if buffered.is_empty() {
            return read_retrying(r, out);
        }
        let n = buffered.len().min(out.len());
        out[..n].copy_from_slice(&buffered[..n]);
        self.consume(n);
        Ok(n)
    }

    /// The next line without its `\n` or `\r\n`; `None` at end of stream. A
    /// last line without `\n` is still returned, as Python's `readline` does.
    /// A line must be complete within `timeout` of its first byte.
    pub(crate) fn read_line(
        &mut self,
        r: &mut impl Source,
        max_line: usize,
        timeout: Option<Duration>,
    ) -> io::Result<Option<String>> {
        let mut deadline = Deadline::new(timeout);
        let result = self.read_line_within(r, max_line, &mut deadline);
        deadline.finish(r, result)
    }

    fn read_line_within(
        &mut self,
        r: &mut impl Source,
        max_line: usize,
        deadline: &mut Deadline,
    ) -> io::Result<Option<String>> {
        // Bytes at the front of the buffer already known to hold no '\n'.
        let mut scanned = 0;
        loop {
            let data = self.buffered();
            if let Some(i) = data[scanned..].iter().position(|&b| b == b'\n') {
                let end = scanned + i;
                let line = strip_cr(&data[..end]);
                let result = check_line(line, max_line).map(|()| line_to_string(line));
                self.consume(end + 1);
                return result.and_then(|line| line.map(Some));
            }
            scanned = data.len();
            // A '\r' may still be followed by '\n', so it does not count yet.
            let pending = strip_cr(data).len();
            // Saturating: `max_line` may be `usize::MAX`, "no limit".
            if pending > max_line || data.len() > max_line.saturating_add(1) {
                return Err(line_too_long(max_line));
            }
            deadline.before_read(r, !data.is_empty())?;
            if self.fill(r, CHUNK)? == 0 {
                let data = self.buffered();
                if data.is_empty() {
                    return Ok(None);
                }
                let result = line_to_string(data);
                let n = data.len();
                self.consume(n);
                return result.map(Some);
            }
        }
    }

    /// The next frame (a u32 big-endian length, then that many bytes); `None`
    /// at end of stream between frames.
    /// A frame must be complete within `timeout` of its first byte.
    pub(crate) fn read_frame(
        &mut self,
        r: &mut impl Source,
        max_frame: usize,
        timeout: Option<Duration>,
    ) -> io::Result<Option<Vec<u8>>> {
        let mut deadline = Deadline::new(timeout);
        let result = self.read_frame_within(r, max_frame, &mut deadline);
        deadline.finish(r, result)
    }

    fn read_frame_within(
        &mut self,
        r: &mut impl Source,
        max_frame: usize,
        deadline: &mut Deadline,
    ) -> io::Result<Option<Vec<u8>>> {
        while self.buffered().len() < HEADER {
            deadline.before_read(r, !self.buffered().is_empty())?;
            if self.fill(r, CHUNK)? == 0 {
                let got = self.buffered().len();
                if got == 0 {
                    return Ok(None);
                }
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("connection closed inside a frame header ({got} of {HEADER} bytes)"),
                ));
            }
        }
        let header: [u8; HEADER] = self.buffered()[..HEADER].try_into().expect("4 bytes");
        let len = u32::from_be_bytes(header);
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        if len > max_frame {
            // The stream cannot be resynchronised after a refused frame; the
            // header is dropped so a caller that goes on does not loop on it.
            self.consume(HEADER);
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("frame of {len} bytes is longer than max_frame ({max_frame} bytes)"),
            ));
        }
        // Only a 32-bit target can overflow here, with a `max_frame` near
        // `usize::MAX`: such a frame could not be held in memory anyway.
        let Some(total) = len.checked_add(HEADER) else {
            self.consume(HEADER);
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("frame of {len} bytes does not fit in memory"),
            ));
        };
        while self.buffered().len() < total {
            let missing = total - self.buffered().len();
            deadline.before_read(r, true)?;
            if self.fill(r, missing)? == 0 {
                let got = self.buffered().len() - HEADER;
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("connection closed inside a frame ({got} of {len} bytes)"),
                ));
            }
        }
        let frame = self.buffered()[HEADER..total].to_vec();
        self.consume(total);
        Ok(Some(frame))
    }
}

fn read_retrying(r: &mut impl Read, out: &mut [u8]) -> io::Result<usize> {
    loop {
        match r.read(out) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            result => return result,
        }
    }
}

fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn check_line(line: &[u8], max_line: usize) -> io::Result<()> {
    if line.len() > max_line {
        return Err(line_too_long(max_line));
    }
    Ok(())
}

fn line_too_long(max_line: usize) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("line longer than max_line ({max_line} bytes)"),
    )
}

fn line_to_string(line: &[u8]) -> io::Result<String> {
    match std::str::from_utf8(line) {
        Ok(text) => Ok(text.to_owned()),
        Err(e) => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("line is not valid UTF-8: {e}"),
        )),
    }
}

/// Writes all of `parts`, in as few system calls as the kernel allows, so a
/// header and its payload leave in one segment.
pub(crate) fn write_all_vectored(w: &mut impl Write, parts: &[&[u8]]) -> io::Result<()> {
    let mut slices: Vec<IoSlice<'_>> = parts.iter().map(|p| IoSlice::new(p)).collect();
    let mut slices = &mut slices[..];
    // Drops leading empty parts: a write of only empty slices returns 0,
    // which would read as WriteZero.
    IoSlice::advance_slices(&mut slices, 0);
    while !slices.is_empty() {
        match w.write_vectored(slices) {
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::WriteZero,
                    "failed to write the whole buffer",
                ));
            }
            Ok(n) => IoSlice::advance_slices(&mut slices, n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The 4-byte header of a frame of `len` bytes.
pub(crate) fn frame_header(len: usize) -> io::Result<[u8; HEADER]> {
    match u32::try_from(len) {
        Ok(len) => Ok(len.to_be_bytes()),
        Err(_) => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("frame of {len} bytes does not fit its u32 length header"),
        )),
    }
}

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
