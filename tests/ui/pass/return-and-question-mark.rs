// `return` and `?` in the body behave as in the original function.
use std::num::ParseIntError;
use threaded::threaded;

#[threaded]
fn parse_sum(items: Vec<String>) -> Result<i64, ParseIntError> {
    let mut sum = 0;
    for item in items {
        if item == "stop" {
            return Ok(sum);
        }
        sum += item.parse::<i64>()?;
    }
    Ok(sum)
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn main() {
    assert_eq!(parse_sum(strings(&["1", "2"])).join().unwrap(), Ok(3));
    assert_eq!(parse_sum(strings(&["1", "stop", "x"])).join().unwrap(), Ok(1));
    assert!(parse_sum(strings(&["1", "x"])).join().unwrap().is_err());
}
