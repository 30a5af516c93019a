use threaded::threaded;

trait Job {
    #[threaded]
    fn run(self);
}

fn main() {}
