//! Runs each tutorial in `examples/` (built by `cargo test`) and checks that
//! it shows what `TUTORIALS.md` says it shows. The client/server pairs run
//! together on a free port of 127.0.0.1; every wait is bounded, and a server
//! left running by a failing test is killed.

mod support;

use std::net::{TcpListener, UdpSocket};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use support::{GUARD, Process, SLOW_GUARD, assert_median_under};

// Every example ends by itself in a few seconds; SLOW_GUARD, which counts a cold process
// start on the loaded box, only stops a hang. A server example gets GUARD to print that
// it is listening.

fn example_path(name: &str) -> PathBuf {
    // This test runs from target/<profile>/deps/; examples are in target/<profile>/examples/.
    let exe = std::env::current_exe().expect("no path to the test binary");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("the test binary is not in target/<profile>/deps");
    profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// Runs an example to its end and returns its stdout, asserting it succeeded.
fn run(name: &str, args: &[&str]) -> String {
    let output = run_unchecked(name, args);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{name} failed: {}\nstdout:\n{stdout}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Starts an example with piped output, no stdin and no `RUST_LOG`.
fn spawn_example(name: &str, args: &[&str]) -> Child {
    let path = example_path(name);
    assert!(
        path.exists(),
        "{} is not built: plain `cargo test` builds the examples, \
         `cargo test --test examples` alone does not (run `cargo build --examples` first)",
        path.display()
    );
    Command::new(&path)
        .args(args)
        .env_remove("RUST_LOG")
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {name}: {e}"))
}

/// Runs an example to its end, however it ends.
fn run_unchecked(name: &str, args: &[&str]) -> Output {
    let child = spawn_example(name, args);
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
    match rx.recv_timeout(SLOW_GUARD) {
        Ok(output) => output.expect("cannot wait for the example"),
        Err(_) => {
            // Best effort: the test fails anyway; `kill` exists on unix only.
            #[cfg(unix)]
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            #[cfg(not(unix))]
            let _ = pid;
            panic!("{name} did not end within {SLOW_GUARD:?}");
        }
    }
}

/// Starts an example without waiting for it to end: a server, in the background.
fn start(name: &str, args: &[&str]) -> Process {
    Process::new(name, spawn_example(name, args))
}

/// A port free on 127.0.0.1 a moment ago: bound with port 0, read, released.
fn free_port(udp: bool) -> u16 {
    let addr = if udp {
        UdpSocket::bind("127.0.0.1:0").and_then(|s| s.local_addr())
    } else {
        TcpListener::bind("127.0.0.1:0").and_then(|s| s.local_addr())
    };
    addr.expect("no free port on 127.0.0.1").port()
}

/// Starts a server example on a free port and waits until it says
/// `Listening on 127.0.0.1:PORT`; returns it with its address. Another
/// process may take the port between `free_port` and the server's bind, so a
/// server that ends before listening is tried once more on another port.
fn start_server(name: &str, udp: bool, extra_args: &[&str]) -> (Process, String) {
    let mut failure = String::new();
    for _ in 0..2 {
        let addr = format!("127.0.0.1:{}", free_port(udp));
        let mut args = vec![addr.as_str()];
        args.extend_from_slice(extra_args);
        let mut server = start(name, &args);
        match server.wait_for_line("Listening on ", GUARD) {
            Some(line) => {
                assert!(line.starts_with(&format!("Listening on {addr}")), "{line}");
                return (server, addr);
            }
            None => failure = server.report(),
        }
    }
    panic!("{name} ended twice without listening\n{failure}");
}

fn count(text: &str, needle: &str) -> usize {
    text.lines().filter(|line| line.contains(needle)).count()
}

#[test]
fn ex01_two_thread_objects_interleave_and_are_joined() {
    let out = run("01_thread_subclass", &[]);
    for n in (1..=4).rev() {
        assert_eq!(
            count(&out, &format!("Thread-1 - Iterating: {n}")),
            1,
            "{out}"
        );
    }
    for n in (1..=3).rev() {
        assert_eq!(
            count(&out, &format!("Thread-2 - Iterating: {n}")),
            1,
            "{out}"
        );
    }
    // Interleaved: Thread-2 starts before Thread-1 ends.
    let first_t2 = out.find("Thread-2 - Iterating").unwrap();
    let last_t1 = out.rfind("Thread-1 - Iterating").unwrap();
    assert!(first_t2 < last_t1, "{out}");
    assert!(out.trim_end().ends_with("both threads finished"), "{out}");
}

#[test]
fn ex02_twenty_threads_count_to_exactly_twenty() {
    let out = run("02_shared_counter", &[]);
    let mut seen: Vec<u32> = out
        .lines()
        .filter_map(|line| line.strip_prefix("Thread "))
        .map(|n| n.parse().unwrap())
        .collect();
    seen.sort_unstable();
    assert_eq!(
        seen,
        (1..=20).collect::<Vec<_>>(),
        "every increment is unique:\n{out}"
    );
    assert!(out.contains("final value: 20"), "{out}");
}

#[test]
fn ex03_the_result_comes_back_through_join() {
    let out = run("03_thread_target", &[]);
    assert!(out.contains("[minha_func] computing 3 ** 4"), "{out}");
    assert!(out.contains("minha_func(3, expoente=4) = 81"), "{out}");
}

#[test]
fn ex04_the_decorator_folds_soma_and_the_static_method_runs() {
    let out = run("04_decorators", &[]);
    assert_eq!(out, "70\nfunciona!!!\n");
}

#[test]
fn ex05_threaded_functions_generic_and_method_are_named_and_joined() {
    let out = run("05_threaded_macro", &[]);
    assert!(out.contains("[minha_funcao] calculando 21 * 2"), "{out}");
    assert!(out.contains("minha_funcao(21) = 42"), "{out}");
    assert!(out.contains("[descreve-olá] valor = olá"), "{out}");
    assert!(out.contains("[descreve-3.5] valor = 3.5"), "{out}");
    assert!(
        out.contains("[Contador::conta] contador: 1 + ... + 10 = 55"),
        "{out}"
    );
}

#[test]
fn ex06_the_stop_event_ends_the_loop_at_once() {
    // Three runs, so one slowed by the loaded machine does not decide the latency.
    let mut took = Vec::new();
    for _ in 0..3 {
        let out = run("06_stop_event", &[]);
        let executing = count(&out, " executing");
        assert!(
            (2..=8).contains(&executing),
            "about 5 iterations in 0.55 s:\n{out}"
        );
        for i in 0..executing {
            assert!(out.contains(&format!("{i} executing\n")), "{out}");
        }
        let last = out.lines().last().unwrap();
        assert!(
            last.starts_with(&format!("stopped after {executing} iterations")),
            "{out}"
        );
        // "…, X ms after stop()"
        let ms: f64 = last
            .split(", ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no latency in {last:?}"));
        took.push(Duration::from_secs_f64(ms / 1000.0));
    }
    // The wait wakes at once, not after its 100 ms sleep.
    assert_median_under(
        "stop() to the loop's end, as long as a sleep would",
        took,
        Duration::from_millis(90),
    );
}

#[test]
fn ex13_log_lines_carry_levels_and_worker_thread_names() {
    let out = run("13_logging", &[]);
    for (tag, message) in [
        ("[main] DEBUG", "Isto eh uma msg de debug"),
        ("[main] INFO ", "Isto eh uma informacao"),
        ("[main] WARN ", "Isto eh um aviso!"),
        ("[trabalhador-1] DEBUG", "trabalhador 1 começou"),
        ("[trabalhador-1] INFO ", "trabalhador 1 terminou"),
        ("[trabalhador-2] DEBUG", "trabalhador 2 começou"),
        ("[trabalhador-2] INFO ", "trabalhador 2 terminou"),
        (
            "[main] WARN ",
            "a second basic_config() is refused (a logger is already installed); the file keeps every line",
        ),
    ] {
        assert!(
            out.lines().any(|l| l.contains(tag) && l.ends_with(message)),
            "no {tag:?} line with {message:?}:\n{out}"
        );
    }

    // `RUST_LOG` wins over `basic_config().level(..)`, as in any env_logger program: the
    // debug and info lines go, the warnings stay. (In this test, not a second one: both
    // runs write the same file.)
    let output = Command::new(example_path("13_logging"))
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .expect("cannot run 13_logging");
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{out}");
    assert!(
        out.lines()
            .any(|l| l.contains("[main] WARN ") && l.ends_with("Isto eh um aviso!")),
        "{out}"
    );
    for gone in ["Isto eh uma msg de debug", "Isto eh uma informacao"] {
        assert!(
            !out.contains(gone),
            "{gone:?} logged under RUST_LOG=warn:\n{out}"
        );
    }
}

#[test]
fn ex14_lock_rlock_semaphores_barrier_and_timers_do_what_the_slide_says() {
    let out = run("14_locks_semaphores", &[]);
    for expected in [
        "20 threads added 1 under the lock: 20\n",
        "deposita_duas_vezes held the lock while deposita took it again: saldo = 20\n",
        "release() without acquire: refused (semaphore released too many times), still 2 available\n",
        "acquire() then release(): ok, 2 available\n",
        "arrival indexes [0, 1, 2]; every runner ran after the starting gun: true\n",
        "Timer(3600 s) cancelled: it never ran, its thread ended at once\n",
        "Timer(0.1 s) fired, not early: yes\n",
    ] {
        assert!(out.contains(expected), "no {expected:?} in:\n{out}");
    }
    assert!(!out.contains("this never prints"), "{out}");
    // Five downloads, each once; never more than two inside at once.
    for n in 1..=5 {
        assert_eq!(count(&out, &format!("download {n} starts (")), 1, "{out}");
    }
    assert_eq!(count(&out, " inside)"), 5, "{out}");
    assert_eq!(count(&out, "(3 inside)"), 0, "{out}");
    let most: usize = out
        .lines()
        .find_map(|l| l.strip_prefix("most downloads at once: "))
        .and_then(|rest| rest.split(';').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no 'most downloads at once' line:\n{out}"));
    assert!((1..=2).contains(&most), "{out}");
    assert!(out.contains("; permits back: 2\n"), "{out}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("== ")).count(),
        6,
        "{out}"
    );
}

#[test]
fn ex07_workers_drain_the_queue_full_hands_the_item_back_a_panic_does_not_hang_join() {
    // Every line is deterministic: the workers' results are summed or checked
    // as a set, never printed in the order the threads ran.
    let output = run_unchecked("07_work_queue", &[]);
    let out = String::from_utf8_lossy(&output.stdout);
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{}\n{out}\n{log}", output.status);
    // The deliberate panic is one log line, not the panic hook's message too.
    let panic_lines: Vec<&str> = log.lines().filter(|l| l.contains("operacao(13)")).collect();
    assert_eq!(panic_lines.len(), 1, "{log}");
    assert!(panic_lines[0].contains("ERROR"), "{log}");
    assert!(!log.contains("panicked at"), "{log}");
    assert_eq!(
        out,
        "\
== 5 workers, q.join() ==
workers: func-1, func-2, func-3, func-4, func-5
q.join() returned: 0 unfinished tasks, sum of the squares of 1..=20 = 2870
after q.shutdown() the 5 workers returned and were joined
q.put(21) after shutdown is refused; we got 21 back
== Full and Empty: Queue(maxsize=2) ==
q.put_nowait('a'): ok, 1 of 2
q.put_nowait('b'): ok, 2 of 2
q.put_nowait('c'): Full, and we got 'c' back
q.put('d', timeout=0.05): still Full after 50 ms, and we got 'd' back
q.get_nowait(): 'a'
q.get_nowait(): 'b'
q.get_nowait(): Empty
== a worker panics on item 13 ==
q.join() returned: 19 items done, 0 unfinished, missing: [13]
after q.shutdown(): 5 of 5 workers ended normally
"
    );
}

#[test]
fn ex08_ex09_udp_client_gets_its_echoes_and_an_empty_message_stops_the_server() {
    let (server, addr) = start_server("08_udp_server", true, &[]);

    let client = run("09_udp_client", &[&addr, "--stop"]);
    let from = client
        .lines()
        .find_map(|line| line.strip_prefix("Sending from "))
        .and_then(|rest| rest.strip_suffix(&format!(" to {addr}")))
        .unwrap_or_else(|| panic!("no 'Sending from ADDR to {addr}' line:\n{client}"));
    assert_eq!(
        client,
        format!(
            "\
Sending from {from} to {addr}
Sending message 'TEST'
Received 'TEST'
Sending message 'Olá, servidor'
Received 'Olá, servidor'
Sending message 'tchau'
Received 'tchau'
Sent an empty message: the server stops
"
        )
    );

    // The empty datagram stops the server: it ends by itself.
    let out = server.finish();
    assert_eq!(
        out,
        format!(
            "\
Listening on {addr} (UDP)
Received message 'TEST' from {from}
Received message 'Olá, servidor' from {from}
Received message 'tchau' from {from}
Empty message from {from}: stopping
Server stopped
"
        )
    );
}

#[cfg(unix)]
#[test]
fn ex10_ex11_tcp_client_gets_hello_world_back_and_sigterm_stops_the_server() {
    let (server, addr) = start_server("10_tcp_server", false, &[]);

    let client = run("11_tcp_client", &[&addr]);
    let from = client
        .lines()
        .find_map(|line| line.strip_prefix(&format!("Connected to {addr} from ")))
        .unwrap_or_else(|| panic!("no 'Connected to {addr} from ADDR' line:\n{client}"))
        .to_owned();
    assert_eq!(
        client,
        format!("Connected to {addr} from {from}\nReceived 'Hello, world'\n")
    );

    // The client read to the end of its stream, which the server closes only
    // after printing its lines: they are all out. SIGTERM is what Ctrl-C is
    // to `stop_on_ctrl_c`: the server shuts down and ends by itself.
    server.terminate();
    let out = server.finish();
    assert_eq!(
        out,
        format!(
            "\
Listening on {addr} (TCP)
Connected by {from} (thread 'tcp {from}')
Received message 'Hello, world' from {from}
Connection from {from} closed
Stopping
Server stopped
"
        )
    );
}

#[test]
fn ex10_the_tcp_server_stops_by_itself_after_seconds() {
    let started = Instant::now();
    let (server, addr) = start_server("10_tcp_server", false, &["--seconds", "1"]);
    let out = server.finish();
    assert_eq!(
        out,
        format!("Listening on {addr} (TCP)\nTime is up\nServer stopped\n")
    );
    assert!(started.elapsed() >= Duration::from_secs(1), "{out}");
}

#[test]
fn ex12_so_reuseaddr_rebinds_a_port_in_time_wait_and_port_0_picks_a_free_one() {
    // As for the servers: a free port, tried once more if taken meanwhile.
    let (addr, out) = (0..2)
        .find_map(|_| {
            let addr = format!("127.0.0.1:{}", free_port(false));
            let output = run_unchecked("12_reuse_address", &[&addr]);
            let out = String::from_utf8_lossy(&output.stdout).into_owned();
            let listening = out.starts_with(&format!("1. server listening on {addr}\n"));
            (output.status.success() && listening).then_some((addr, out))
        })
        .expect("12_reuse_address failed twice to bind a free port");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 7, "{out}");

    let client = lines[2]
        .strip_prefix("3. client ")
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(
        lines[2],
        format!(
            "3. client {client} got \"tchau\"; server closed first: true; \
             the server's side of that connection now waits in TIME_WAIT"
        )
    );
    assert_eq!(lines[3], "4. server closed");
    // The point of the slide: the port comes back at once.
    assert_eq!(
        lines[5],
        format!("6. TcpServer::bind({addr}) with SO_REUSEADDR: listening again on {addr}")
    );
    if cfg!(target_os = "linux") {
        // Linux refuses a second listener even with SO_REUSEADDR, and a bare
        // socket while a connection of the port is in TIME_WAIT.
        assert!(
            lines[1].starts_with(&format!("2. a second server on {addr}: refused (")),
            "{out}"
        );
        assert!(
            lines[4].starts_with(&format!("5. bind({addr}) without SO_REUSEADDR: failed (")),
            "{out}"
        );
    }

    let chosen: std::net::SocketAddr = lines[6]
        .strip_prefix("7. TcpServer::bind((127.0.0.1, 0)): the OS chose ")
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("{out}"));
    assert!(chosen.ip().is_loopback(), "{out}");
    assert_ne!(chosen.port(), 0, "{out}");
}

/// `cargo run --example tour`, the README's first command: every part of the
/// class runs and says so, on stdout (the steps) and in the log (stderr).
#[test]
fn tour_shows_every_part_working() {
    let output = run_unchecked("tour", &[]);
    let out = String::from_utf8_lossy(&output.stdout);
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{}\n{out}\n{log}", output.status);

    for step in 1..=8 {
        assert!(
            out.contains(&format!("== {step}. ")),
            "step {step} missing:\n{out}"
        );
    }
    for expected in [
        "squares from 3 threads: [9, 16, 25]",
        // 1² + … + 10² = 385, less the 49 of the item whose worker panicked.
        "without the item 7 that panicked: 336",
        "Received 'Hello, world'",
        "Received 'Olá, mundo'",
        "Received 'Hola, mundo'",
        "TCP server: 3 connections, 0 errors, shut down",
        "UDP reply to 'ping': 'PING'",
        "UDP reply to 'pong': 'PONG'",
        "cubes from the global pool: [8, 27]",
        "pool job: job panicked: on purpose: job 1 fails; the next job ran on Some(\"tour-pool-0\")",
    ] {
        assert!(out.contains(expected), "no {expected:?} in:\n{out}");
    }
    let beats: u32 = out
        .lines()
        .find_map(|l| l.strip_prefix("the heartbeat beat "))
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no heartbeat count in:\n{out}"));
    assert!(beats >= 1, "{out}");

    // The log: thread names from #[threaded], the queue's workers and the servers.
    for expected in [
        "[main] INFO  the tour starts",
        "[square] INFO  computing 3²",
        "[heartbeat] INFO  beat 1",
        "panicked on an item: on purpose: item 7 is cursed",
        "INFO  Connected by 127.0.0.1:",
        "INFO  Received message 'ping' from 127.0.0.1:",
        "[heartbeat] INFO  stopped after",
        "[tour-pool-0] ERROR a job panicked on thread 'tour-pool-0': on purpose: job 1 fails",
        "[main] INFO  the tour ends",
    ] {
        assert!(log.contains(expected), "no {expected:?} in the log:\n{log}");
    }
    // The deliberate panic is one log line, not the panic hook's message too.
    assert_eq!(count(&log, "item 7 is cursed"), 1, "{log}");
    assert_eq!(count(&log, "job 1 fails"), 1, "{log}");
    assert!(!log.contains("panicked at"), "{log}");
}

/// With no server there, a client ends with one line for a person
/// (`Display`), not a `Debug` dump such as `Custom { kind: .. }`.
#[test]
fn ex09_ex11_clients_without_a_server_print_a_readable_error() {
    for (name, udp) in [("11_tcp_client", false), ("09_udp_client", true)] {
        // Nothing listens on a port just released (another process taking
        // it meanwhile would answer, which fails the assert below loudly).
        let addr = format!("127.0.0.1:{}", free_port(udp));
        let output = run_unchecked(name, &[&addr]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{name} succeeded:\n{stderr}");
        let line = stderr
            .lines()
            .find(|line| line.starts_with(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("{name} printed no error line:\n{stderr}"));
        assert!(line.contains(&addr), "{line}");
        assert!(line.contains("running there?"), "{line}");
        assert!(
            !stderr.contains("kind:") && !stderr.contains("Custom {"),
            "{stderr}"
        );
    }
}

#[test]
fn ex15_pool_jobs_map_in_order_as_completed_a_surviving_worker_and_a_refused_job() {
    let output = run_unchecked("15_thread_pool", &[]);
    let out = String::from_utf8_lossy(&output.stdout);
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{out}\n{err}");
    for file in ["a.txt", "b.txt"] {
        assert!(
            out.lines()
                .any(|l| l.starts_with("[global-pool-") && l.ends_with(&format!("baixei {file}"))),
            "no pooled download of {file}:\n{out}"
        );
    }
    // map: every result at its own position, the panic only at "x".
    let map: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("== map"))
        .skip(1)
        .take(4)
        .collect();
    assert_eq!(
        map,
        [
            "     1 -> 1",
            "    22 -> 2",
            "     x -> erro: job panicked: \"x\" is not a number",
            "  4444 -> 4",
        ],
        "{out}"
    );
    // as_completed: each job once (the order follows the sleeps, not asserted).
    let finished: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("terminou: "))
        .collect();
    let mut sorted = finished.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, ["10 ms", "120 ms", "60 ms"], "{out}");
    // The worker that ran the panicking job took the next one.
    assert!(
        out.contains("antes: sozinho-0; erro: job panicked: falhou; depois: sozinho-0"),
        "{out}"
    );
    assert!(
        out.contains("recusado: job refused: the thread pool is shut down"),
        "{out}"
    );
    let measured = out
        .lines()
        .find(|l| l.starts_with("new thread: "))
        .unwrap_or_else(|| panic!("no measurement in:\n{out}"));
    assert!(measured.contains("µs per call; pool: ") && measured.ends_with("x cheaper"));
    // Each panic on purpose is one line on stderr, not a backtrace.
    assert!(err.contains("(panic de propósito em 'download-"), "{err}");
    assert!(
        err.contains("(panic de propósito em 'sozinho-0': falhou)"),
        "{err}"
    );
    assert!(!err.contains("stack backtrace"), "{err}");
}

/// A server given an address it cannot bind ends with one line for a person (`Display`),
/// not the `Debug` dump of `fn main() -> io::Result<()>`.
#[test]
fn ex08_ex10_servers_with_a_bad_address_print_a_readable_error() {
    for name in ["08_udp_server", "10_tcp_server"] {
        let output = run_unchecked(name, &["127.0.0.1:99999"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{name} succeeded:\n{stderr}");
        assert!(
            stderr
                .lines()
                .any(|line| line.starts_with(&format!("{name}: "))),
            "{name} printed no error line:\n{stderr}"
        );
        assert!(
            !stderr.contains("kind:") && !stderr.contains("Custom {"),
            "{stderr}"
        );
    }
}
