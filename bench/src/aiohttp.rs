//! The second peer: `tv report`'s fan-out written with asyncio and aiohttp the way a
//! good engineer would (`aiohttp_fan_out.py`): one `ClientSession`, a `TCPConnector`
//! pool, an `asyncio.Semaphore` bounding the apps in flight, each app's six calls at
//! once with `gather`, every answer decoded and the row's numbers computed. It lives in
//! its own virtual environment, `target/bench/venv-aiohttp`, with a current aiohttp.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use xtask::python::{make_venv, python_prints, python_runs};

/// The script: `BASE KEY WINDOW END PREVIOUS_END CONCURRENCY`; prints
/// `{"apps": [rows…], "failed": [], "requests": N}`.
const SCRIPT: &str = include_str!("aiohttp_fan_out.py");

/// What the report calls it.
pub const NAME: &str = "aiohttp";

/// The aiohttp release the contender runs (PyPI), so runs stay comparable.
const AIOHTTP: &str = "3.14.5";

/// A ready aiohttp peer.
#[derive(Debug, Clone)]
pub struct AioPeer {
    /// `target/bench/venv-aiohttp/bin/python`.
    pub python: PathBuf,
    /// `target/bench/py/aiohttp_fan_out.py`.
    pub script: PathBuf,
    /// `Python 3.x.y, aiohttp a.b.c`.
    pub versions: String,
}

/// Sets up the venv (reused when aiohttp imports there) and writes the script. `Err`
/// says why it cannot run here.
pub fn prepare(bench_dir: &Path) -> Result<AioPeer> {
    let venv = bench_dir.join("venv-aiohttp");
    let python = venv.join("bin").join("python");
    if !usable(&python) {
        eprintln!("bench: creating {} with aiohttp {AIOHTTP}", venv.display());
        make_venv(&venv, &[&[&format!("aiohttp=={AIOHTTP}")]])?;
        if !usable(&python) {
            bail!("aiohttp does not import after installation");
        }
    }
    let scripts = bench_dir.join("py");
    std::fs::create_dir_all(&scripts)?;
    let script = scripts.join("aiohttp_fan_out.py");
    std::fs::write(&script, SCRIPT)?;
    let versions = python_prints(
        &python,
        "import sys, aiohttp; print(f'Python {sys.version.split()[0]}, aiohttp {aiohttp.__version__}')",
    )?;
    Ok(AioPeer {
        python,
        script,
        versions,
    })
}

fn usable(python: &Path) -> bool {
    python_runs(
        python,
        &format!("import aiohttp, yarl; assert aiohttp.__version__ == {AIOHTTP:?}"),
    )
}
