use super::*;
use std::io::Cursor;

/// A reader that hands out its data a few bytes per read, then errors
/// with `WouldBlock` (a timeout) once, then goes on.
struct Trickle {
    data: Vec<u8>,
    pos: usize,
    step: usize,
    stall_at: Option<usize>,
    reads: usize,
    limits: Vec<Option<Duration>>,
}

impl Read for Trickle {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.reads += 1;
        if self.stall_at == Some(self.pos) {
            self.stall_at = None;
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let n = self.step.min(out.len()).min(self.data.len() - self.pos);
        out[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

fn trickle(data: &[u8], step: usize) -> Trickle {
    Trickle {
        data: data.to_vec(),
        pos: 0,
        step,
        stall_at: None,
        reads: 0,
        limits: Vec::new(),
    }
}

impl Source for Trickle {
    fn limit_reads(&mut self, limit: Option<Duration>) -> io::Result<()> {
        self.limits.push(limit);
        Ok(())
    }
}

impl Source for Cursor<Vec<u8>> {
    fn limit_reads(&mut self, _: Option<Duration>) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn the_deadline_bounds_the_reads_after_the_first_byte_then_is_lifted() {
    let timeout = Duration::from_secs(60);
    let mut r = trickle(b"abcdef\n", 2);
    let mut buf = ReadBuffer::default();
    let line = buf.read_line(&mut r, 100, Some(timeout)).unwrap();
    assert_eq!(line.as_deref(), Some("abcdef"));
    // 4 reads: the first waits as long as the stream's own timeout lets
    // it, the 3 after it are bounded, then the bound is lifted.
    assert_eq!(r.reads, 4);
    assert_eq!(r.limits.len(), 4);
    assert!(
        r.limits[..3]
            .iter()
            .all(|l| l.is_some_and(|l| l <= timeout))
    );
    assert_eq!(r.limits[3], None);
}

#[test]
fn a_message_past_its_deadline_is_timed_out_and_keeps_its_bytes() {
    let mut wire = frame_header(6).unwrap().to_vec();
    wire.extend_from_slice(b"abcdef");
    let mut r = trickle(&wire, 4);
    let mut buf = ReadBuffer::default();
    // A zero timeout: the frame had to come whole with its first byte.
    let err = buf
        .read_frame(&mut r, 100, Some(Duration::ZERO))
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    assert!(r.limits.is_empty(), "timed out before any bounded read");
    assert_eq!(
        buf.read_frame(&mut r, 100, None).unwrap(),
        Some(b"abcdef".to_vec())
    );

    // Already buffered counts as arrived: the deadline starts at once.
    let mut r = trickle(b"tail\n", 2);
    let mut buf = ReadBuffer::default();
    buf.fill(&mut r, 1).unwrap();
    let err = buf
        .read_line(&mut r, 100, Some(Duration::ZERO))
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    assert_eq!(
        buf.read_line(&mut r, 100, None).unwrap().as_deref(),
        Some("tail")
    );
}

#[test]
fn a_duration_max_deadline_never_bounds_a_read() {
    let mut r = trickle(b"slow line\n", 1);
    let mut buf = ReadBuffer::default();
    let line = buf.read_line(&mut r, 100, Some(Duration::MAX)).unwrap();
    assert_eq!(line.as_deref(), Some("slow line"));
    assert!(r.limits.is_empty());
}

#[test]
fn lines_split_on_lf_and_crlf_across_reads() {
    let mut r = trickle(b"one\r\ntwo\nthree", 2);
    let mut buf = ReadBuffer::default();
    assert_eq!(
        buf.read_line(&mut r, 10, None).unwrap().as_deref(),
        Some("one")
    );
    assert_eq!(
        buf.read_line(&mut r, 10, None).unwrap().as_deref(),
        Some("two")
    );
    assert_eq!(
        buf.read_line(&mut r, 10, None).unwrap().as_deref(),
        Some("three")
    );
    assert_eq!(buf.read_line(&mut r, 10, None).unwrap(), None);
}

#[test]
fn line_of_exactly_max_is_accepted_even_with_crlf() {
    let mut r = Cursor::new(b"abcd\r\nabcd\nabcde\n".to_vec());
    let mut buf = ReadBuffer::default();
    assert_eq!(
        buf.read_line(&mut r, 4, None).unwrap().as_deref(),
        Some("abcd")
    );
    assert_eq!(
        buf.read_line(&mut r, 4, None).unwrap().as_deref(),
        Some("abcd")
    );
    let err = buf.read_line(&mut r, 4, None).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
}

#[test]
fn overlong_line_fails_before_the_newline_arrives() {
    // An endless line: the error must come once max_line is passed, not
    // after reading everything.
    let mut r = trickle(&[b'x'; 1 << 20], 16);
    let mut buf = ReadBuffer::default();
    let err = buf.read_line(&mut r, 100, None).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    assert!(r.pos <= 100 + 2 + 16, "read {} bytes", r.pos);
}

#[test]
fn invalid_utf8_line_is_invalid_data_and_the_next_line_survives() {
    let mut r = Cursor::new(b"\xff\xfe\nok\n".to_vec());
    let mut buf = ReadBuffer::default();
    let err = buf.read_line(&mut r, 100, None).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    assert_eq!(
        buf.read_line(&mut r, 100, None).unwrap().as_deref(),
        Some("ok")
    );
}

#[test]
fn frames_round_trip_across_reads() {
    let mut wire = Vec::new();
    for payload in [&b""[..], b"a", &[7u8; 20_000]] {
        write_all_vectored(&mut wire, &[&frame_header(payload.len()).unwrap(), payload]).unwrap();
    }
    let mut r = trickle(&wire, 3);
    let mut buf = ReadBuffer::default();
    assert_eq!(buf.read_frame(&mut r, 20_000, None).unwrap(), Some(vec![]));
    assert_eq!(
        buf.read_frame(&mut r, 20_000, None).unwrap(),
        Some(b"a".to_vec())
    );
    assert_eq!(
        buf.read_frame(&mut r, 20_000, None).unwrap(),
        Some(vec![7; 20_000])
    );
    assert_eq!(buf.read_frame(&mut r, 20_000, None).unwrap(), None);
}

#[test]
fn frame_over_max_is_refused_from_its_header_alone() {
    // The header claims 4 GiB - 1 and no payload follows: the error must
    // come from the header, without waiting or allocating.
    let mut r = Cursor::new(u32::MAX.to_be_bytes().to_vec());
    let mut buf = ReadBuffer::default();
    let err = buf.read_frame(&mut r, 1024, None).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    assert!(buf.buf.capacity() <= MAX_CHUNK);
}

#[test]
fn usize_max_limits_accept_lines_and_frames_without_overflow() {
    // `max_line + 1` used to overflow: a panic in debug builds, every
    // line refused in release ones.
    let mut wire = b"a line\r\nlast".to_vec();
    let mut buf = ReadBuffer::default();
    let mut r = trickle(&wire, 3);
    assert_eq!(
        buf.read_line(&mut r, usize::MAX, None).unwrap().as_deref(),
        Some("a line")
    );
    assert_eq!(
        buf.read_line(&mut r, usize::MAX, None).unwrap().as_deref(),
        Some("last")
    );
    assert_eq!(buf.read_line(&mut r, usize::MAX, None).unwrap(), None);

    wire = frame_header(5).unwrap().to_vec();
    wire.extend_from_slice(b"abcde");
    let mut r = trickle(&wire, 2);
    assert_eq!(
        buf.read_frame(&mut r, usize::MAX, None).unwrap(),
        Some(b"abcde".to_vec())
    );
    assert_eq!(buf.read_frame(&mut r, usize::MAX, None).unwrap(), None);
}

#[test]
fn frame_cut_short_is_unexpected_eof() {
    let mut wire = frame_header(10).unwrap().to_vec();
    wire.extend_from_slice(b"12345");
    let mut buf = ReadBuffer::default();
    let err = buf
        .read_frame(&mut Cursor::new(wire), 100, None)
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);

    let mut buf = ReadBuffer::default();
    let err = buf
        .read_frame(&mut Cursor::new(vec![0, 0]), 100, None)
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
}

#[test]
fn a_timeout_inside_a_frame_loses_nothing() {
    let mut wire = frame_header(6).unwrap().to_vec();
    wire.extend_from_slice(b"abcdef");
    let mut r = trickle(&wire, 4);
    r.stall_at = Some(8);
    let mut buf = ReadBuffer::default();
    let err = buf.read_frame(&mut r, 100, None).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
    assert_eq!(
        buf.read_frame(&mut r, 100, None).unwrap(),
        Some(b"abcdef".to_vec())
    );
}

#[test]
fn read_hands_out_buffered_bytes_before_reading_again() {
    let mut r = Cursor::new(b"line\nrest".to_vec());
    let mut buf = ReadBuffer::default();
    assert_eq!(
        buf.read_line(&mut r, 100, None).unwrap().as_deref(),
        Some("line")
    );
    let mut out = [0; 16];
    let n = buf.read(&mut r, &mut out).unwrap();
    assert_eq!(&out[..n], b"rest");
    assert_eq!(buf.read(&mut r, &mut out).unwrap(), 0);
}

#[test]
fn vectored_write_survives_short_writes() {
    struct Short(Vec<u8>);
    impl Write for Short {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            let n = b.len().min(3);
            self.0.extend_from_slice(&b[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut w = Short(Vec::new());
    write_all_vectored(&mut w, &[b"head", b"", b"payload"]).unwrap();
    assert_eq!(w.0, b"headpayload");
}

/// xorshift64*: reproducible random bytes without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn random_bytes_never_panic_nor_grow_the_buffer_past_the_limit() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..100 {
        let len = rng.below(4096);
        // Half the streams hold no '\n' at all: endless lines.
        let mask = if rng.below(2) == 0 { 0x80 } else { 0 };
        let data: Vec<u8> = (0..len).map(|_| rng.next() as u8 | mask).collect();
        let limit = rng.below(600);
        let step = 1 + rng.below(700);
        let mut r = trickle(&data, step);
        let mut buf = ReadBuffer::default();
        // Whatever the bytes, each call ends (data, error or end) having
        // pulled at most a limit's worth (and a header) plus one read from
        // the stream: no read is asked for once the limit is passed.
        for _ in 0..data.len() + 2 {
            let before = r.pos;
            let done = if rng.below(2) == 0 {
                matches!(buf.read_line(&mut r, limit, None), Ok(None))
            } else {
                matches!(buf.read_frame(&mut r, limit, None), Ok(None))
            };
            let pulled = r.pos - before;
            assert!(
                pulled <= limit + 4 + step,
                "one call read {pulled} bytes, limit {limit}"
            );
            if done {
                break;
            }
        }
    }
}

#[test]
fn random_lines_and_frames_round_trip_through_random_reads() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for _ in 0..100 {
        let mut wire = Vec::new();
        let mut expected = Vec::new();
        for _ in 0..1 + rng.below(20) {
            if rng.below(2) == 0 {
                let line: String = (0..rng.below(100))
                    .map(|_| char::from(b'a' + rng.below(26) as u8))
                    .collect();
                wire.extend_from_slice(line.as_bytes());
                wire.extend_from_slice(if rng.below(2) == 0 { b"\n" } else { b"\r\n" });
                expected.push(Ok(line));
            } else {
                let payload: Vec<u8> = (0..rng.below(3000)).map(|_| rng.next() as u8).collect();
                wire.extend_from_slice(&frame_header(payload.len()).unwrap());
                wire.extend_from_slice(&payload);
                expected.push(Err(payload));
            }
        }
        let mut r = trickle(&wire, 1 + rng.below(5000));
        let mut buf = ReadBuffer::default();
        for message in &expected {
            match message {
                Ok(line) => {
                    let got = buf.read_line(&mut r, 100, None).unwrap();
                    assert_eq!(got.as_ref(), Some(line));
                }
                Err(payload) => {
                    let got = buf.read_frame(&mut r, 3000, None).unwrap();
                    assert_eq!(got.as_ref(), Some(payload));
                }
            }
        }
        assert_eq!(buf.read_frame(&mut r, 3000, None).unwrap(), None);
    }
}
