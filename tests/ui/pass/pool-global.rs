// `#[threaded(pool)]` submits the body to `ThreadPool::global()` and returns a
// `Job<R>`, for every function form plain `#[threaded]` takes.
use std::fmt::Display;
use std::num::ParseIntError;
use threaded::pool::{Job, JobError};
use threaded::threaded;

#[threaded(pool)]
fn double(n: u64) -> u64 {
    n * 2
}

#[threaded(pool)]
fn nothing() {}

#[threaded(pool)]
fn largest<T>(items: Vec<T>) -> Option<T>
where
    T: Ord + Send + 'static,
{
    items.into_iter().max()
}

#[threaded(pool)]
fn parse_sum(text: String) -> Result<u32, ParseIntError> {
    let mut total = 0;
    for word in text.split_whitespace() {
        if word == "stop" {
            return Ok(total);
        }
        total += word.parse::<u32>()?;
    }
    Ok(total)
}

#[threaded(pool)]
fn swap((a, b): (u8, u8), [x, _]: [u8; 2], mut acc: Vec<u8>) -> Vec<u8> {
    acc.extend([b, a, x]);
    acc
}

#[threaded(pool)]
fn shown(n: impl Display + Send + 'static) -> impl Display {
    format!("<{n}>")
}

#[threaded(pool)]
fn where_am_i() -> String {
    std::thread::current().name().unwrap().to_owned()
}

#[threaded(pool)]
fn fails() -> u8 {
    panic!("in the pool")
}

fn main() {
    let job: Job<u64> = double(21);
    assert_eq!(job.join().unwrap(), 42);
    nothing().join().unwrap();
    assert_eq!(largest(vec![3, 9, 4]).join().unwrap(), Some(9));
    assert_eq!(parse_sum("1 2 stop 4".into()).join().unwrap(), Ok(3));
    assert!(parse_sum("1 x".into()).join().unwrap().is_err());
    assert_eq!(swap((1, 2), [3, 4], vec![0]).join().unwrap(), [0, 2, 1, 3]);
    assert_eq!(shown(5).join().unwrap().to_string(), "<5>");
    assert!(where_am_i().join().unwrap().starts_with("global-pool-"));
    assert!(matches!(fails().join(), Err(JobError::Panicked(_))));
}
