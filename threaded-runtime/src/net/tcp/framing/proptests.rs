//! The decoders on arbitrary input: whatever the bytes and however the stream splits them,
//! they never panic, never hold much more than the limit (nor the size a frame header
//! claims), and hand back intact every line or frame the encoder wrote.

use std::io::{self, Read};
use std::time::Duration;

use proptest::prelude::*;

use super::*;

/// A stream that hands out its bytes in the given read sizes, cycling through them.
struct Split {
    data: Vec<u8>,
    pos: usize,
    steps: Vec<usize>,
    reads: usize,
}

impl Read for Split {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let step = self.steps[self.reads % self.steps.len()].max(1);
        self.reads += 1;
        let n = step.min(out.len()).min(self.data.len() - self.pos);
        out[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

impl Source for Split {
    fn limit_reads(&mut self, _: Option<Duration>) -> io::Result<()> {
        Ok(())
    }
}

fn split(data: Vec<u8>, steps: Vec<usize>) -> Split {
    Split {
        data,
        pos: 0,
        steps,
        reads: 0,
    }
}

/// What a buffer may hold for a message of at most `limit` bytes: the message, one chunk
/// read past it, and `Vec`'s doubling.
fn allowed(limit: usize) -> usize {
    2 * (limit + HEADER + MAX_CHUNK)
}

fn steps() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(1usize..64, 1..8)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn lines_from_any_bytes_never_panic_nor_outgrow_the_limit(
        data in prop::collection::vec(any::<u8>(), 0..4096),
        steps in steps(),
        max_line in 0usize..300,
    ) {
        let mut r = split(data, steps);
        let mut buf = ReadBuffer::default();
        // Each call consumes at least one byte or ends, so this is bounded.
        for _ in 0..5000 {
            match buf.read_line(&mut r, max_line, None) {
                Ok(Some(line)) => prop_assert!(line.len() <= max_line),
                Ok(None) => break,
                Err(e) => {
                    prop_assert_eq!(e.kind(), io::ErrorKind::InvalidData);
                    break;
                }
            }
            prop_assert!(buf.buf.capacity() <= allowed(max_line));
        }
        prop_assert!(buf.buf.capacity() <= allowed(max_line));
    }

    #[test]
    fn frames_from_any_bytes_never_panic_nor_allocate_what_a_header_claims(
        data in prop::collection::vec(any::<u8>(), 0..4096),
        steps in steps(),
        max_frame in prop_oneof![0usize..300, Just(usize::MAX)],
    ) {
        let len = data.len();
        let mut r = split(data, steps);
        let mut buf = ReadBuffer::default();
        for _ in 0..5000 {
            match buf.read_frame(&mut r, max_frame, None) {
                Ok(Some(frame)) => prop_assert!(frame.len() <= max_frame),
                Ok(None) => break,
                Err(e) => {
                    prop_assert!(matches!(
                        e.kind(),
                        io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof
                    ));
                    break;
                }
            }
        }
        // Bounded by what arrived, never by a 4 GiB header.
        prop_assert!(buf.buf.capacity() <= allowed(len.min(max_frame)));
    }

    #[test]
    fn every_line_written_comes_back_intact(
        lines in prop::collection::vec("[^\r\n]{0,40}", 0..20),
        crlf in any::<bool>(),
        steps in steps(),
    ) {
        let end = if crlf { "\r\n" } else { "\n" };
        let wire: String = lines.iter().map(|l| format!("{l}{end}")).collect();
        let mut r = split(wire.into_bytes(), steps);
        let mut buf = ReadBuffer::default();
        let mut got = Vec::new();
        while let Some(line) = buf.read_line(&mut r, 200, None).unwrap() {
            got.push(line);
        }
        prop_assert_eq!(got, lines);
    }

    #[test]
    fn every_frame_written_comes_back_intact(
        frames in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..300), 0..12),
        steps in steps(),
    ) {
        let mut wire = Vec::new();
        for frame in &frames {
            wire.extend_from_slice(&frame_header(frame.len()).unwrap());
            wire.extend_from_slice(frame);
        }
        let mut r = split(wire, steps);
        let mut buf = ReadBuffer::default();
        let mut got = Vec::new();
        while let Some(frame) = buf.read_frame(&mut r, 300, None).unwrap() {
            got.push(frame);
        }
        prop_assert_eq!(got, frames);
    }
}
