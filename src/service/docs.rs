//! docs/services.md, generated from the service model (a test keeps the
//! committed file in step with it).

use super::{Cors, HostCheck, Hsts, HstsWhen, MissingFile, ServiceClass, ServiceModel, TlsSource};
use crate::model::Sdk;

fn tls_source(m: &ServiceModel) -> String {
    match m.tls_source {
        TlsSource::SecurityConfig => "SecurityConfig: environment, then the config file".into(),
        TlsSource::EnvOnly => {
            "**`SWML_SSL_*` environment only**: TLS in the config file is ignored (plain HTTP)"
                .into()
        }
        TlsSource::Host => "none: the server that runs the app decides".into(),
    }
}

fn missing_file(m: &ServiceModel) -> String {
    match m.missing_file {
        MissingFile::Crashes => "uvicorn raises FileNotFoundError: **does not start**".into(),
        MissingFile::PlainHttp => "logs it and serves **plain HTTP**".into(),
        MissingFile::NotApplicable => "n/a".into(),
    }
}

fn hosts(m: &ServiceModel) -> String {
    match m.hosts {
        HostCheck::Never => "**never checked**: any Host is served".into(),
        HostCheck::AllowedHosts => {
            "enforced: a Host (without its port) not in the list gets 400, unless `*` is in it"
                .into()
        }
    }
}

fn cors(m: &ServiceModel) -> String {
    match m.cors {
        Cors::None => "ignored: no CORS headers (browsers keep other sites out)".into(),
        Cors::AnyOriginWithoutCredentials => {
            "ignored: every origin allowed, **without** credentials".into()
        }
        Cors::ConfiguredWithCredentials => {
            "applied, **credentials always allowed**: `*` lets any site call with the visitor's credentials".into()
        }
    }
}

fn hsts(m: &ServiceModel) -> String {
    match m.hsts {
        Hsts::None => "ignored: no HSTS header".into(),
        Hsts::Fixed { value, when } => format!(
            "ignored: always `{value}` when {}",
            match when {
                HstsWhen::SslEnabledSetting => "ssl_enabled is true (even if it fell back to HTTP)",
                HstsWhen::SslEnabledEnv => "`SWML_SSL_ENABLED` is true, 1 or yes",
            }
        ),
        Hsts::Configured => {
            "applied: `max-age=<hsts_max_age>; includeSubDomains` over HTTPS when use_hsts".into()
        }
    }
}

fn headers(m: &ServiceModel) -> String {
    if m.headers.is_empty() {
        "none".into()
    } else {
        m.headers.join(", ")
    }
}

fn yes_no(applied: bool) -> String {
    if applied {
        "applied"
    } else {
        "**not enforced**"
    }
    .into()
}

/// The whole page.
pub fn render() -> String {
    let mut out = String::from(
        "# What each SDK service does with each setting\n\n\
         <!-- Generated from src/service/mod.rs by `swml-sec services`; \
         tests/service_model.rs checks it is current. -->\n\n\
         SecurityConfig reads every setting; each service class applies only some of them. \
         `swml-sec check` judges the class that runs (detected from the repository's Python \
         files, or `--service-class`), so its advice changes what the running service does. \
         Each row was read in the SDK's source and observed on the running class \
         (tests/goldens/services.json).\n",
    );
    type Row = (&'static str, fn(&ServiceModel) -> String);
    let rows: [Row; 10] = [
        ("where TLS comes from", tls_source),
        ("TLS file missing", missing_file),
        ("`allowed_hosts`", hosts),
        ("`cors_origins`", cors),
        ("`use_hsts`, `hsts_max_age`", hsts),
        ("security headers", headers),
        ("`rate_limit`, `max_request_size`, `request_timeout`", |m| {
            yes_no(m.limits_enforced)
        }),
        ("request body limit", |m| match m.fixed_body_limit {
            Some(limit) => format!(
                "fixed {} MiB on the agent's POST routes (413 above), whatever max_request_size says",
                limit / (1024 * 1024)
            ),
            None => "none".into(),
        }),
        ("`ssl_verify_mode`", |m| {
            if m.verify_mode_used {
                "applied".into()
            } else {
                "**unused**: no client certificates are requested".into()
            }
        }),
        ("SDK source", |m| format!("`{}`", m.source)),
    ];
    for sdk in [Sdk::SignalwireAgents11, Sdk::SignalwireSdk3] {
        out.push_str(&format!("\n## `--sdk {}`\n\n|  |", sdk.as_str()));
        for class in ServiceClass::ALL {
            out.push_str(&format!(" {} |", class.name()));
        }
        out.push_str("\n|---|");
        for _ in ServiceClass::ALL {
            out.push_str("---|");
        }
        out.push('\n');
        for (label, cell) in rows {
            out.push_str(&format!("| {label} |"));
            for class in ServiceClass::ALL {
                out.push_str(&format!(" {} |", cell(super::model(sdk, class))));
            }
            out.push('\n');
        }
    }
    out.push_str(
        "\nThe prefabs (InfoGathererAgent, FAQBotAgent, ConciergeAgent, SurveyAgent, \
         ReceptionistAgent) and BedrockAgent are AgentBase. Under an AgentServer, each \
         agent's Basic auth still comes from its own SecurityConfig. SearchService needs \
         the SDK's `search` extra (nltk, sentence-transformers) to start, so its column is \
         read in the source only: it calls the same SecurityConfig methods as WebService.\n",
    );
    out
}
