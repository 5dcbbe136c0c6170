//! `swml-sec check`: the security checklist over the resolved settings, for
//! each service class that runs.

use crate::cli::ColorChoice;
use crate::finding::Finding;
use crate::report::redact::{Redactor, secrets_of_run};
use crate::service::{Origin, Service, ServiceClass};

use super::UsageError;
use super::inputs::{prepare, resolve_inputs};
use super::report::report;

pub(crate) fn run_check(args: crate::cli::CheckArgs, color: ColorChoice) -> Result<u8, UsageError> {
    let mut judging = prepare(&args.report)?;
    judging.stage = Some(args.stage);
    let services = services_to_judge(args.service.service_class);
    let mut input = args.input;
    // WebService and SearchService look for web_config.json and
    // search_config.json first: search as the class that runs does.
    if input.service.is_none()
        && let Some(name) = shared_config_name(&services, input.sdk)
    {
        input.service = Some(name.to_string());
    }
    let (env, mut res) = resolve_inputs(&input)?;
    judging.options.sdk = input.sdk;
    judging.options.tls_at_proxy = args.tls_at_proxy;
    judging.options.env_settings = Some(crate::resolve::resolve_env_only(&env, input.sdk).settings);
    let mut findings = judge_services(&mut res, &judging.options, &services);
    if args.stage == crate::stage::Stage::Build {
        findings.extend(crate::stage::committed_secrets(&res, &env));
        crate::stage::defer_to_deploy(&mut findings, &res, &env);
    }
    let redactor = Redactor::new(secrets_of_run(&res, &env, []));
    report(
        findings,
        &res,
        redactor,
        &judging,
        &args.report,
        color,
        super::report::About {
            extra: None,
            services: &services,
        },
    )
}

/// The services `check` judges: the flag's class, else what detection
/// finds under the working directory, else AgentBase, assumed.
pub fn services_to_judge(flag: Option<ServiceClass>) -> Vec<Service> {
    if let Some(class) = flag {
        return vec![Service {
            class,
            origin: Origin::Flag,
            evidence: None,
        }];
    }
    let root = std::env::current_dir().unwrap_or_default();
    let found = crate::service::detect::detect(&root);
    if found.services.is_empty() {
        vec![Service {
            class: ServiceClass::AgentBase,
            origin: Origin::Assumed {
                walk_stopped: found.truncated,
            },
            evidence: None,
        }]
    } else {
        found.services
    }
}

/// The config name every judged class searches first, when they agree on
/// one (`web`, `search`).
fn shared_config_name(services: &[Service], sdk: crate::model::Sdk) -> Option<&'static str> {
    let mut names = services
        .iter()
        .map(|s| crate::service::model(sdk, s.class).config_name);
    let first = names.next()??;
    names.all(|n| n == Some(first)).then_some(first)
}

/// Runs the checks once per distinct class. A finding every class gives
/// alike is reported once; one that only some classes give names them in
/// `services`.
pub fn judge_services(
    res: &mut crate::resolve::Resolution,
    options: &crate::checks::CheckOptions,
    services: &[Service],
) -> Vec<Finding> {
    let mut classes: Vec<ServiceClass> = services.iter().map(|s| s.class).collect();
    classes.sort();
    classes.dedup();
    let resolver_findings = std::mem::take(&mut res.findings);
    let Some((&first, rest)) = classes.split_first() else {
        return resolver_findings;
    };
    if rest.is_empty() {
        res.findings = resolver_findings;
        let options = crate::checks::CheckOptions {
            service: first,
            ..options.clone()
        };
        return crate::checks::run_all_taking(res, &options);
    }
    // (rule, message, help, location) -> index in `merged`.
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut merged: Vec<Finding> = Vec::new();
    for class in classes.iter().copied() {
        let options = crate::checks::CheckOptions {
            service: class,
            ..options.clone()
        };
        for mut f in crate::checks::run_all(res, &options) {
            let key = format!(
                "{}\u{0}{}\u{0}{:?}\u{0}{:?}\u{0}{}",
                f.rule, f.message, f.help, f.location, f.blocks_start
            );
            match index.get(&key) {
                Some(&i) => {
                    let mut services = merged[i].services().to_vec();
                    services.push(class.name().to_string());
                    merged[i].set_services(services);
                }
                None => {
                    index.insert(key, merged.len());
                    f.set_services(vec![class.name().to_string()]);
                    merged.push(f);
                }
            }
        }
    }
    for f in &mut merged {
        if f.services().len() == classes.len() {
            f.set_services(Vec::new());
        }
    }
    let mut findings = resolver_findings;
    findings.extend(merged);
    findings
}

/// A whole `check` of an in-memory config, as the bytes it would print in
/// `format` (no colour): the entry point of the renderer and redaction
/// fuzzers and of property tests. Certificates are judged at `at`.
pub fn check_in_memory(
    config: &[u8],
    env: &crate::input::EnvView,
    format: crate::cli::CheckFormat,
    profile: crate::policy::Profile,
    at: i64,
) -> String {
    use crate::report::output::Output;
    let mut res = crate::resolve::resolve_with_config_bytes(env, "config.json", config);
    let judging = super::inputs::Judging::defaults(profile, at);
    let findings = crate::checks::run_all_taking(&mut res, &judging.options);
    let output = Output::new(Redactor::new(secrets_of_run(&res, env, [])), false, false);
    let services = [Service {
        class: ServiceClass::AgentBase,
        origin: Origin::Assumed {
            walk_stopped: false,
        },
        evidence: None,
    }];
    let view = super::report::ReportView {
        res: &res,
        judging: &judging,
        format,
        color: false,
        sarif_anchor: None,
        cwd: std::path::PathBuf::from("/nonexistent-swml-sec-cwd"),
        root: None,
        extra: None,
        services: &services,
    };
    let mut bytes = Vec::new();
    // Writing into memory cannot fail.
    let _ = super::report::render(findings, &view, &output, &mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}
