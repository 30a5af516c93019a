// Associated functions, with and without `Self` in the signature, are named `Type::function`.
use threaded::threaded;

struct Parser;

impl Parser {
    #[threaded]
    fn parse(text: String) -> Result<u32, std::num::ParseIntError> {
        text.parse()
    }

    #[threaded]
    fn new() -> Self {
        assert_eq!(std::thread::current().name(), Some("Parser::new"));
        Parser
    }

    #[threaded]
    fn thread_name() -> Option<String> {
        std::thread::current().name().map(str::to_owned)
    }
}

fn main() {
    assert_eq!(Parser::parse("12".into()).join().unwrap(), Ok(12));
    assert!(Parser::parse("x".into()).join().unwrap().is_err());
    let _parser: Parser = Parser::new().join().unwrap();
    assert_eq!(Parser::thread_name().join().unwrap().as_deref(), Some("Parser::thread_name"));
}
