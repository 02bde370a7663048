//! `tv login` and `tv config set api_key -`: the key reaches the profile file without
//! ever being on the command line (nor in the shell's history).

use std::io::IsTerminal;
use std::path::Path;

use tv_client::config::ProfileSetting;
use tv_client::profile_file::ProfileFile;

use super::settings::{config_path, set_setting, target_profile};
use crate::cli::GlobalArgs;
use crate::exit::{CliError, Exit};

/// The key, typed at a prompt without echo when standard input is a terminal, else
/// read from standard input (at most 4 KiB, surrounding whitespace dropped).
pub fn read_key(prompt: &str) -> Result<String, CliError> {
    if std::io::stdin().is_terminal() {
        let typed = rpassword::prompt_password(prompt)
            .map_err(|e| CliError::new(Exit::Config, format!("cannot read the key: {e}")))?;
        let key = typed.trim();
        if key.is_empty() {
            return Err(CliError::usage("no key typed; nothing saved"));
        }
        return Ok(key.to_owned());
    }
    Ok(tv_client::config::value::read_key_file(Path::new("-"))?)
}

/// `tv login`: asks for the key (no echo) and saves it, with `--base-url` when given,
/// into the profile (`--profile`, `TV_PROFILE`, the file's default, else `default`).
pub fn login(global: &GlobalArgs) -> Result<Exit, CliError> {
    if global.api_key.is_some() || global.api_key_file.is_some() || global.demo {
        return Err(CliError::usage(
            "tv login asks for the key itself: drop --api-key, --api-key-file and --demo",
        ));
    }
    let path = config_path(global)?;
    let existing = ProfileFile::load(&path)?;
    let profile = target_profile(global, existing.as_ref());
    let key = read_key(&format!("API key for profile `{profile}`: "))?;
    // The base URL first: when it is refused, nothing is saved.
    let existing = match &global.base_url {
        Some(url) => {
            set_setting(existing, &path, &profile, ProfileSetting::BaseUrl, url)?;
            ProfileFile::load(&path)?
        }
        None => existing,
    };
    set_setting(existing, &path, &profile, ProfileSetting::ApiKey, &key)?;
    eprintln!(
        "saved the key of profile `{profile}` in {} (readable by you only); `tv doctor` checks that the server takes it",
        path.display()
    );
    Ok(Exit::Ok)
}
