//! `forewarn report`: send approaches to the security team's server.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use forewarn_ingest::{ApproachReader, Limits};

use crate::render::one_line;
use crate::{EXIT_ERROR, EXIT_LOW};

/// Arguments of `forewarn report`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Approach files (.json, .jsonl) or e-mails (.eml) to report.
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
    /// The server, such as https://forewarn.example.org.
    #[arg(long, value_name = "URL", env = "FOREWARN_SERVER")]
    server: String,
    /// An API token with the reports:write scope.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "FOREWARN_TOKEN",
        hide_env_values = true
    )]
    token: String,
}

/// Runs `forewarn report`.
pub fn run(args: Args) -> Result<u8> {
    let url = format!("{}/api/v1/reports", args.server.trim_end_matches('/'));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let auth = format!("Bearer {}", args.token.trim());
    let mut failed = 0usize;
    for file in &args.files {
        let is_eml = file
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("eml"));
        let bodies: Vec<(String, Vec<u8>, &str)> = if is_eml {
            let bytes =
                std::fs::read(file).with_context(|| format!("cannot read `{}`", file.display()))?;
            vec![(file.display().to_string(), bytes, "message/rfc822")]
        } else {
            let mut bodies = Vec::new();
            for read in ApproachReader::open(file, Limits::default())? {
                let read = read?;
                bodies.push((
                    read.location.to_string(),
                    serde_json::to_vec(&read.approach)?,
                    "application/json",
                ));
            }
            bodies
        };
        for (location, body, content_type) in bodies {
            let response = agent
                .post(&url)
                .header("Authorization", &auth)
                .header("Content-Type", content_type)
                .send(&body[..])
                .with_context(|| format!("cannot reach {url}"))?;
            let status = response.status().as_u16();
            let value: serde_json::Value = response.into_body().read_json().unwrap_or_default();
            if status == 201 {
                eprintln!(
                    "forewarn: reported {location}: report {} ({} risk)",
                    one_line(value["id"].as_str().unwrap_or("?")),
                    one_line(value["risk"].as_str().unwrap_or("?"))
                );
            } else {
                failed += 1;
                let reason = one_line(value["error"].as_str().unwrap_or("no reason given"));
                eprintln!(
                    "forewarn: {location}: the server refused the report ({status}): {reason}"
                );
                if status == 401 || status == 403 {
                    bail!("the token was refused; make one with the reports:write scope");
                }
            }
        }
    }
    Ok(if failed > 0 { EXIT_ERROR } else { EXIT_LOW })
}
