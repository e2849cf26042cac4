//! Scenarios for `bridge::config`: the deployment guide's files load as written, every class of
//! mistake fails with the key's path, and the environment overrides the file.

use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use bridge::config::{
    AuthType, Builtin, Config, ConfigError, Framework, LogLevel, Strategy, TlsMode, TlsVersion,
    Tn3270TlsMode, MASK,
};

/// No environment at all.
const NO_ENV: [(&str, &str); 0] = [];

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Loads `yaml` with `env`, expecting an error; returns it.
fn refused(yaml: &str, env: &[(&str, &str)]) -> ConfigError {
    match Config::from_yaml(yaml, "server.yaml", &env) {
        Ok(config) => panic!("accepted:\n{config}"),
        Err(e) => e,
    }
}

/// A minimal valid file plus `extra` top-level YAML.
fn with_endpoint(extra: &str) -> String {
    format!(
        "endpoints:\n  - name: primary\n    host: mainframe1.example.com\n    port: 3270\n{extra}"
    )
}

// ---------------------------------------------------------------------------------------------
// The guide's files

#[test]
fn the_contract_server_yaml_loads_with_every_value() {
    let env = [("AUTH_TOKEN", "s3cret-token")];
    let c = Config::load(Some(&fixture("server.yaml")), &env).unwrap();

    assert_eq!(c.server.port, 3270);
    assert_eq!(c.server.api_port, 8080);
    assert_eq!(c.server.bind_address, IpAddr::from([0, 0, 0, 0]));
    assert_eq!(c.sessions.max_sessions, 1000);
    assert_eq!(c.sessions.timeout_seconds, Duration::from_secs(3600));
    assert_eq!(c.sessions.idle_timeout_seconds, Duration::from_secs(600));
    assert!(c.authentication.enabled);
    assert_eq!(c.authentication.kind, AuthType::Bearer);
    assert_eq!(
        c.authentication.token.as_ref().unwrap().expose(),
        "s3cret-token"
    );
    assert_eq!(
        c.authentication.token_expire_seconds,
        Duration::from_secs(3600)
    );
    assert!(c.authentication.require_https);
    assert!(c.rate_limiting.enabled);
    assert_eq!(c.rate_limiting.max_rps, 1000);
    assert!(c.audit.is_enabled());
    assert_eq!(
        c.audit.log_path.as_deref(),
        Some(Path::new("/var/log/zig3270/audit.log"))
    );
    assert_eq!(c.audit.retention_days, 90);
    assert_eq!(c.audit.framework, Some(Framework::Soc2));
    assert!(c.audit.secure_delete && c.audit.encrypt_logs);
    assert_eq!(c.compliance.framework, Some(Framework::Soc2));
    assert!(c.compliance.enforce_mfa && c.compliance.require_https);
    assert_eq!(c.compliance.log_retention_days, 365);
    assert_eq!(c.load_balancer.strategy, Strategy::RoundRobin);
    assert_eq!(
        c.load_balancer.health_check_interval,
        Duration::from_secs(30)
    );
    assert_eq!(c.load_balancer.health_check_timeout, Duration::from_secs(5));
    assert_eq!(c.endpoints.len(), 2);
    assert_eq!(c.endpoints[0].name, "primary");
    assert_eq!(c.endpoints[0].host, "mainframe1.example.com");
    assert_eq!(c.endpoints[0].effective_port(), 3270);
    assert_eq!(c.endpoints[0].priority, 1);
    assert_eq!(c.endpoints[1].name, "backup");
    assert_eq!(c.endpoints[1].host, "mainframe2.example.com");
    assert_eq!(c.endpoints[1].priority, 2);
    assert!(c.tls.enabled);
    assert_eq!(
        c.tls.cert_path.as_deref(),
        Some(Path::new("/etc/zig3270/cert.pem"))
    );
    assert_eq!(
        c.tls.key_path.as_deref(),
        Some(Path::new("/etc/zig3270/key.pem"))
    );
    assert_eq!(
        c.tls.ca_cert_path.as_deref(),
        Some(Path::new("/etc/zig3270/certs/ca.crt"))
    );
    assert_eq!(c.tls.min_version, TlsVersion::V1_2);
    assert_eq!(
        c.tls.cipher_suites,
        [
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
        ]
    );
    assert_eq!(c.logging.level, LogLevel::Info);
    assert_eq!(
        c.logging.file.as_deref(),
        Some(Path::new("/var/log/zig3270/server.log"))
    );
    assert_eq!(c.logging.max_size, 100 * 1024 * 1024);
    assert_eq!(c.logging.retention_days, 30);
    assert_eq!(c.buffers.command_buffer_pool, 1000);
    assert_eq!(c.buffers.field_data_buffer, 10_000_000);
    assert_eq!(c.buffers.parser_ring_buffer, 100_000);
}

#[test]
fn the_guide_configuration_section_loads_and_enables_audit_by_its_log_path() {
    // The guide writes `token: ${AUTH_TOKEN}` and gives audit a log_path but no `enabled`.
    let env = [("AUTH_TOKEN", "t")];
    let c = Config::load(Some(&fixture("guide-server.yaml")), &env).unwrap();
    assert!(c.audit.is_enabled());
    assert_eq!(c.audit.enabled, Some(true));
    assert_eq!(c.endpoints[1].name, "backup");
    assert_eq!(c.logging.max_size, 100 << 20);
}

#[test]
fn the_kubernetes_configmap_loads_with_defaults_for_the_rest() {
    let yaml = "server:\n  port: 3270\n  api_port: 8080\nsessions:\n  max_sessions: 1000\n  timeout_seconds: 3600\naudit:\n  retention_days: 90\n";
    let c = Config::from_yaml(yaml, "server.yaml", &NO_ENV).unwrap();
    // A file means a deployment: every interface, no demo host.
    assert_eq!(c.server.bind_address, IpAddr::from([0, 0, 0, 0]));
    assert!(c.endpoints.is_empty());
    assert!(!c.audit.is_enabled());
    assert_eq!(c.sessions.idle_timeout_seconds, Duration::from_secs(600));
    assert_eq!(c.load_balancer.strategy, Strategy::RoundRobin);
}

#[test]
fn the_guide_buffer_snippet_with_underscores_loads() {
    let yaml = "buffers:\n  command_buffer_pool: 1000\n  field_data_buffer: 10_000_000  # 10MB\n  parser_ring_buffer: 100_000\n";
    let c = Config::from_yaml(yaml, "server.yaml", &NO_ENV).unwrap();
    assert_eq!(c.buffers.field_data_buffer, 10_000_000);
    assert_eq!(c.buffers.parser_ring_buffer, 100_000);
}

#[test]
fn no_file_means_loopback_and_the_demo_host() {
    let c = Config::load(None, &NO_ENV).unwrap();
    assert_eq!(c, Config::demo());
    assert_eq!(c.server.bind_address, IpAddr::from([127, 0, 0, 1]));
    assert_eq!(c.server.port, 3270);
    assert_eq!(c.server.api_port, 8080);
    assert_eq!(c.endpoints.len(), 1);
    assert_eq!(c.endpoints[0].builtin, Some(Builtin::Demo));
}

#[test]
fn an_empty_file_is_all_defaults() {
    let c = Config::from_yaml("# nothing yet\n", "server.yaml", &NO_ENV).unwrap();
    let mut expected = Config::default();
    expected.audit.enabled = Some(false); // resolved by loading
    assert_eq!(c, expected);
}

#[test]
fn endpoint_extension_keys_load() {
    let yaml = "
endpoints:
  - name: zos
    host: zos.example.com
    tls: { mode: starttls, ca_file: /etc/web3270/ca.pem, server_name: zos.internal }
    weight: 3
    lu_pool: [lu0001, LU0002]
    model: 3279-4-E
    code_page: '1047'
    terminal_type: IBM-3278-4-E
  - name: secure
    host: 10.0.0.5
    tls: true
";
    let c = Config::from_yaml(yaml, "server.yaml", &NO_ENV).unwrap();
    let zos = c.endpoint("zos").unwrap();
    assert!(zos.tls.enabled);
    assert_eq!(zos.tls.mode, TlsMode::StartTls);
    assert_eq!(zos.tls.server_name.as_deref(), Some("zos.internal"));
    assert_eq!(zos.effective_port(), 23);
    assert_eq!(zos.weight, 3);
    assert_eq!(zos.lu_names, ["LU0001", "LU0002"]);
    assert_eq!(zos.model.as_deref(), Some("3279-4-E"));
    assert_eq!(zos.code_page.as_deref(), Some("cp1047"));
    let secure = c.endpoint("secure").unwrap();
    assert_eq!(secure.tls.mode, TlsMode::Implicit);
    assert_eq!(secure.effective_port(), 992);
}

// ---------------------------------------------------------------------------------------------
// Bad values: one class per test, each names the key

#[test]
fn a_bad_port_names_the_endpoint_index() {
    let yaml = "endpoints:\n  - {name: a, host: h1, port: 23}\n  - {name: b, host: h2, port: -1}\n";
    let e = refused(yaml, &[]);
    assert_eq!(
        e.to_string(),
        "server.yaml:3:31: endpoints[1].port: invalid value: -1, expected a port 1-65535"
    );
}

#[test]
fn a_bad_enum_value_lists_the_choices() {
    let e = refused("load_balancer:\n  strategy: fastest\n", &[]);
    assert_eq!(e.key(), Some("load_balancer.strategy"));
    assert!(
        e.to_string().ends_with(
            "invalid value: \"fastest\", expected one of round_robin, weighted, least_conn"
        ),
        "{e}"
    );

    let e = refused("authentication: { type: oauth }\n", &[]);
    assert_eq!(e.key(), Some("authentication.type"));
    assert!(
        e.to_string()
            .contains("expected one of none, basic, bearer"),
        "{e}"
    );

    let e = refused("audit: { framework: ISO27001 }\n", &[]);
    assert_eq!(e.key(), Some("audit.framework"));
    assert!(
        e.to_string()
            .contains("expected one of SOC2, HIPAA, PCI-DSS"),
        "{e}"
    );

    let e = refused("tls: { min_version: \"1.1\" }\n", &[]);
    assert_eq!(e.key(), Some("tls.min_version"));
    assert!(e.to_string().contains("expected one of 1.2, 1.3"), "{e}");

    let e = refused("tls: { tn3270_mode: negotiated }\n", &[]);
    assert_eq!(e.key(), Some("tls.tn3270_mode"));
    assert!(
        e.to_string().contains("expected one of implicit, starttls"),
        "{e}"
    );

    let e = refused("logging: { level: verbose }\n", &[]);
    assert_eq!(e.key(), Some("logging.level"));
    assert!(
        e.to_string()
            .contains("expected one of trace, debug, info, warn, error"),
        "{e}"
    );
}

#[test]
fn enum_spellings_are_case_insensitive() {
    let c = Config::from_yaml(
        "compliance: { framework: pci-dss }\nlogging: { level: WARN }\n",
        "server.yaml",
        &NO_ENV,
    )
    .unwrap();
    assert_eq!(c.compliance.framework, Some(Framework::PciDss));
    assert_eq!(c.logging.level, LogLevel::Warn);
}

#[test]
fn a_bad_duration_names_the_key() {
    let e = refused("sessions:\n  idle_timeout_seconds: 10 minutes\n", &[]);
    assert_eq!(e.key(), Some("sessions.idle_timeout_seconds"));
    assert!(
        e.to_string()
            .contains("expected a duration such as 30 (seconds)"),
        "{e}"
    );
    let e = refused("load_balancer: { health_check_interval: 0 }\n", &[]);
    assert_eq!(e.key(), Some("load_balancer.health_check_interval"));
}

#[test]
fn durations_accept_units() {
    let c = Config::from_yaml(
        "sessions: { timeout_seconds: 2h, idle_timeout_seconds: 90s }\n",
        "f",
        &NO_ENV,
    )
    .unwrap();
    assert_eq!(c.sessions.timeout_seconds, Duration::from_secs(7200));
    assert_eq!(c.sessions.idle_timeout_seconds, Duration::from_secs(90));
}

#[test]
fn a_bad_size_names_the_key() {
    let e = refused("logging: { max_size_mb: 100Q }\n", &[]);
    assert_eq!(e.key(), Some("logging.max_size_mb"));
    assert!(
        e.to_string()
            .contains("expected a size such as 100000, 512K, 100M or 1G"),
        "{e}"
    );
    let e = refused("buffers: { field_data_buffer: 0 }\n", &[]);
    assert_eq!(e.key(), Some("buffers.field_data_buffer"));
}

#[test]
fn a_bad_boolean_names_the_key() {
    let e = refused("rate_limiting: { enabled: sometimes }\n", &[]);
    assert_eq!(e.key(), Some("rate_limiting.enabled"));
    assert!(
        e.to_string()
            .ends_with("invalid value: \"sometimes\", expected true or false"),
        "{e}"
    );
}

#[test]
fn a_bad_bind_address_names_the_key() {
    let e = refused("server: { bind_address: 300.1.1.1 }\n", &[]);
    assert_eq!(e.key(), Some("server.bind_address"));
}

#[test]
fn a_missing_endpoint_host_is_reported_as_missing() {
    let e = refused("endpoints:\n  - name: primary\n    port: 3270\n", &[]);
    assert_eq!(e.key(), Some("endpoints[0].host"));
    assert!(
        e.to_string()
            .ends_with("endpoints[0].host: missing required key"),
        "{e}"
    );
}

#[test]
fn a_missing_endpoint_name_is_reported_as_missing() {
    let e = refused("endpoints:\n  - host: h\n", &[]);
    assert_eq!(e.key(), Some("endpoints[0].name"));
}

#[test]
fn duplicate_endpoint_names_are_refused() {
    let yaml = "endpoints:\n  - {name: primary, host: a}\n  - {name: Primary, host: b}\n";
    let e = refused(yaml, &[]);
    assert_eq!(e.key(), Some("endpoints[1].name"));
    assert!(
        e.to_string()
            .contains("duplicate endpoint name \"Primary\""),
        "{e}"
    );
}

#[test]
fn a_duplicate_yaml_key_is_refused_with_its_position() {
    let e = refused("server: { port: 1 }\nserver: { port: 2 }\n", &[]);
    assert!(e.to_string().starts_with("server.yaml:2:1:"), "{e}");
    assert!(e.to_string().contains("duplicate"), "{e}");
}

#[test]
fn bearer_auth_without_a_token_is_refused() {
    let e = refused("authentication: { enabled: true, type: bearer }\n", &[]);
    assert_eq!(e.key(), Some("authentication.token"));
    assert!(
        e.to_string()
            .contains("required when authentication.type is bearer"),
        "{e}"
    );
}

#[test]
fn enabled_auth_of_type_none_is_refused() {
    let e = refused("authentication: { enabled: true }\n", &[]);
    assert_eq!(e.key(), Some("authentication.type"));
}

#[test]
fn basic_auth_needs_users() {
    let e = refused("authentication: { enabled: true, type: basic }\n", &[]);
    assert_eq!(e.key(), Some("authentication.users"));
    let yaml = "authentication:\n  enabled: true\n  type: basic\n  users:\n    - name: alice\n      password: ${ALICE_PW}\n";
    let c = Config::from_yaml(yaml, "f", &[("ALICE_PW", "pw")]).unwrap();
    assert_eq!(c.authentication.users[0].password.expose(), "pw");
}

#[test]
fn tls_enabled_needs_cert_and_key() {
    let e = refused("tls: { enabled: true, key_path: /k.pem }\n", &[]);
    assert_eq!(e.key(), Some("tls.cert_path"));
    let e = refused("tls: { enabled: true, cert_path: /c.pem }\n", &[]);
    assert_eq!(e.key(), Some("tls.key_path"));
}

#[test]
fn an_unknown_cipher_suite_is_refused() {
    let e = refused("tls: { cipher_suites: [TLS_RSA_WITH_RC4_128_MD5] }\n", &[]);
    assert_eq!(e.key(), Some("tls.cipher_suites[0]"));
}

#[test]
fn audit_enabled_needs_a_log_path() {
    let e = refused("audit: { enabled: true }\n", &[]);
    assert_eq!(e.key(), Some("audit.log_path"));
}

#[test]
fn a_health_check_timeout_longer_than_the_interval_is_refused() {
    let e = refused(
        "load_balancer: { health_check_interval: 5, health_check_timeout: 10 }\n",
        &[],
    );
    assert_eq!(e.key(), Some("load_balancer.health_check_timeout"));
}

#[test]
fn the_two_ports_must_differ() {
    let e = refused("server: { port: 8080 }\n", &[]);
    assert_eq!(e.key(), Some("server.api_port"));
}

#[test]
fn bad_endpoint_extension_values_name_their_key() {
    let cases = [
        ("    lu_names: [TOOLONGLU]\n", "endpoints[0].lu_names[0]"),
        ("    model: 3278-9\n", "endpoints[0].model"),
        ("    code_page: klingon\n", "endpoints[0].code_page"),
        (
            "    terminal_type: IBM 3278\n",
            "endpoints[0].terminal_type",
        ),
        (
            "    tls: { client_cert: /c.pem }\n",
            "endpoints[0].tls.client_key",
        ),
        (
            "    tls: { client_key_password: pw }\n",
            "endpoints[0].tls.client_key_password",
        ),
        (
            "    tls: { client_cert: /c.pem, client_key: /k.pem, client_key_password: '${NOPE}' }\n",
            "endpoints[0].tls.client_key_password",
        ),
        ("    weight: 0\n", "endpoints[0].weight"),
        (
            "    lu_names: [A]\n    lu_pool: [B]\n",
            "endpoints[0].lu_names",
        ),
    ];
    for (extra, key) in cases {
        let e = refused(&with_endpoint(extra), &[]);
        assert_eq!(e.key(), Some(key), "{extra}: {e}");
    }
    let e = refused("endpoints:\n  - {name: a, host: 'tn3270://h:23'}\n", &[]);
    assert_eq!(e.key(), Some("endpoints[0].host"));
}

#[test]
fn an_unknown_top_level_key_is_refused_with_its_path() {
    let e = refused("servers:\n  port: 3270\n", &[]);
    assert_eq!(e.key(), Some("servers"));
    assert!(
        e.to_string().starts_with(
            "server.yaml:1:1: servers: unknown key \"servers\", expected one of server,"
        ),
        "{e}"
    );
}

#[test]
fn an_unknown_nested_key_is_refused_with_its_path() {
    let e = refused("server:\n  port: 3270\n  bind_adress: 0.0.0.0\n", &[]);
    assert_eq!(e.key(), Some("server.bind_adress"));
    assert!(
        e.to_string()
            .contains("expected one of port, api_port, bind_address"),
        "{e}"
    );

    let e = refused(&with_endpoint("    lu: [A]\n"), &[]);
    assert_eq!(e.key(), Some("endpoints[0].lu"));

    let e = refused(
        &with_endpoint("    tls: { enabled: true, verify: false }\n"),
        &[],
    );
    assert_eq!(e.key(), Some("endpoints[0].tls.verify"));
}

#[test]
fn a_section_of_the_wrong_shape_is_refused() {
    let e = refused("server: [3270]\n", &[]);
    assert_eq!(e.key(), Some("server"));
    let e = refused("- 1\n", &[]);
    assert!(matches!(e, ConfigError::Syntax { .. }), "{e:?}");
}

#[test]
fn broken_yaml_is_a_syntax_error_with_a_position() {
    let e = refused("server: { port: 1\n", &[]);
    match e {
        ConfigError::Syntax { line, .. } => assert!(line >= 1),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_missing_file_is_a_read_error() {
    let e = Config::load(Some(Path::new("/nonexistent/server.yaml")), &NO_ENV).unwrap_err();
    assert!(matches!(e, ConfigError::Read { .. }));
    assert!(
        e.to_string()
            .starts_with("cannot read /nonexistent/server.yaml"),
        "{e}"
    );
}

// ---------------------------------------------------------------------------------------------
// ${VAR} expansion

#[test]
fn variables_expand_in_plain_values_of_any_type() {
    let yaml = "server:\n  port: ${TN_PORT}\nendpoints:\n  - name: primary\n    host: ${MF_HOST}\n    port: 3270\n";
    let env = [("TN_PORT", "2323"), ("MF_HOST", "mf.example.com")];
    let c = Config::from_yaml(yaml, "f", &env).unwrap();
    assert_eq!(c.server.port, 2323);
    assert_eq!(c.endpoints[0].host, "mf.example.com");
}

#[test]
fn an_unset_variable_names_the_variable_and_the_key() {
    let yaml = "authentication:\n  enabled: true\n  type: bearer\n  token: ${AUTH_TOKEN}\n";
    let e = refused(yaml, &[]);
    assert_eq!(e.key(), Some("authentication.token"));
    assert!(
        e.to_string()
            .contains("environment variable AUTH_TOKEN is not set"),
        "{e}"
    );
}

#[test]
fn a_doubled_dollar_is_a_literal_and_defaults_apply() {
    let yaml = "endpoints:\n  - name: a\n    host: ${MF_HOST:-fallback.example.com}\n    terminal_type: $${LITERAL}\n";
    let e = Config::from_yaml(yaml, "f", &NO_ENV);
    // `${LITERAL}` is not a valid terminal type, which proves it stayed literal.
    let e = e.unwrap_err();
    assert_eq!(e.key(), Some("endpoints[0].terminal_type"));
    assert!(e.to_string().contains("\"${LITERAL}\""), "{e}");
    let c = Config::from_yaml(&yaml.replace("$${LITERAL}", "IBM-3278-2"), "f", &NO_ENV).unwrap();
    assert_eq!(c.endpoints[0].host, "fallback.example.com");
}

#[test]
fn a_quoted_placeholder_secret_is_refused_not_used() {
    let yaml = "authentication:\n  enabled: true\n  type: bearer\n  token: \"${AUTH_TOKEN}\"\n";
    let e = refused(yaml, &[("AUTH_TOKEN", "x")]);
    assert_eq!(e.key(), Some("authentication.token"));
    assert!(e.to_string().contains("was not expanded"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Environment overrides

#[test]
fn both_prefixes_override_the_file() {
    let env = [
        ("ZIG3270_MAX_SESSIONS", "500"),
        ("WEB3270_LOG_LEVEL", "debug"),
        ("ZIG3270_LOG_MAX_SIZE", "250M"),
        ("ZIG3270_SESSION_TIMEOUT", "7200"),
        ("ZIG3270_LB_STRATEGY", "least_conn"),
        ("ZIG3270_COMPLIANCE_FRAMEWORK", "HIPAA"),
        ("ZIG3270_CONNECTION_POOL_SIZE", "32"),
        ("WEB3270_BIND_ADDRESS", "::"),
    ];
    let c = Config::from_yaml(&with_endpoint(""), "f", &env).unwrap();
    assert_eq!(c.sessions.max_sessions, 500);
    assert_eq!(c.logging.level, LogLevel::Debug);
    assert_eq!(c.logging.max_size, 250 << 20);
    assert_eq!(c.sessions.timeout_seconds, Duration::from_secs(7200));
    assert_eq!(c.load_balancer.strategy, Strategy::LeastConn);
    assert_eq!(c.compliance.framework, Some(Framework::Hipaa));
    assert_eq!(c.sessions.connection_pool_size, Some(32));
    assert_eq!(c.server.bind_address, "::".parse::<IpAddr>().unwrap());
}

#[test]
fn web3270_wins_over_zig3270() {
    let env = [("ZIG3270_PORT", "2323"), ("WEB3270_PORT", "3333")];
    let c = Config::from_yaml("server: { port: 3270 }\n", "f", &env).unwrap();
    assert_eq!(c.server.port, 3333);
}

#[test]
fn overrides_apply_without_a_file_too() {
    let env = [
        ("WEB3270_BIND_ADDRESS", "0.0.0.0"),
        ("WEB3270_API_PORT", "9090"),
    ];
    let c = Config::load(None, &env).unwrap();
    assert_eq!(c.server.bind_address, IpAddr::from([0, 0, 0, 0]));
    assert_eq!(c.server.api_port, 9090);
    assert_eq!(c.endpoints[0].builtin, Some(Builtin::Demo));
}

#[test]
fn auth_and_tls_can_be_configured_entirely_from_the_environment() {
    let env = [
        ("ZIG3270_AUTH_ENABLED", "true"),
        ("ZIG3270_AUTH_TYPE", "bearer"),
        ("ZIG3270_AUTH_TOKEN", "tok"),
        ("ZIG3270_TLS_ENABLED", "1"),
        ("ZIG3270_TLS_CERT", "/etc/zig3270/cert.pem"),
        ("ZIG3270_TLS_KEY", "/etc/zig3270/key.pem"),
        ("ZIG3270_AUDIT_LOG_PATH", "/var/log/zig3270/audit.log"),
        ("ZIG3270_RATE_LIMIT_ENABLED", "yes"),
        ("ZIG3270_RATE_LIMIT_RPS", "50"),
    ];
    let c = Config::from_yaml("{}", "f", &env).unwrap();
    assert_eq!(c.authentication.token.as_ref().unwrap().expose(), "tok");
    assert!(c.tls.enabled);
    assert_eq!(c.tls.tn3270_mode, Tn3270TlsMode::Implicit);
    assert!(c.audit.is_enabled());
    assert!(c.rate_limiting.enabled);
    assert_eq!(c.rate_limiting.max_rps, 50);

    let starttls = [("WEB3270_TLS_TN3270_MODE", "starttls")];
    let c = Config::from_yaml("tls: { tn3270_mode: implicit }\n", "f", &starttls).unwrap();
    assert_eq!(c.tls.tn3270_mode, Tn3270TlsMode::StartTls);
    let e = Config::from_yaml("{}", "f", &[("ZIG3270_TLS_TN3270_MODE", "later")]).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("environment variable ZIG3270_TLS_TN3270_MODE (overrides tls.tn3270_mode): invalid value: \"later\""),
        "{e}"
    );
}

#[test]
fn a_bad_environment_value_names_the_variable() {
    let e = Config::from_yaml("{}", "f", &[("ZIG3270_PORT", "http")]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "environment variable ZIG3270_PORT (overrides server.port): invalid value: \"http\", expected a port 1-65535"
    );
    let e = Config::from_yaml("{}", "f", &[("WEB3270_LOG_MAX_SIZE", "huge")]).unwrap_err();
    assert!(
        matches!(&e, ConfigError::EnvVar { var, .. } if var == "WEB3270_LOG_MAX_SIZE"),
        "{e}"
    );
}

#[test]
fn an_empty_environment_value_counts_as_unset() {
    let c = Config::from_yaml("server: { port: 2323 }\n", "f", &[("WEB3270_PORT", "")]).unwrap();
    assert_eq!(c.server.port, 2323);
}

// ---------------------------------------------------------------------------------------------
// Rendering for `web3270 config check`

#[test]
fn the_rendering_masks_secrets_and_loads_back() {
    let yaml = "
authentication:
  enabled: true
  type: bearer
  token: ${AUTH_TOKEN}
tls:
  enabled: true
  cert_path: /c.pem
  key_path: /k.pem
  key_password: ${KEY_PW}
endpoints:
  - name: primary
    host: mf.example.com
    tls: { mode: starttls }
";
    let env = [("AUTH_TOKEN", "super-secret-token"), ("KEY_PW", "hunter2")];
    let c = Config::from_yaml(yaml, "f", &env).unwrap();
    let text = c.render_masked();
    assert!(!text.contains("super-secret-token"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
    assert_eq!(text.matches(MASK).count(), 2, "{text}");
    assert!(format!("{c:?}").contains(MASK));
    assert!(!format!("{c:?}").contains("hunter2"));

    let back = Config::from_yaml(&text, "rendered", &NO_ENV).unwrap();
    assert_eq!(back.authentication.token.as_ref().unwrap().expose(), MASK);
    let mut expected = c.clone();
    expected.authentication.token = back.authentication.token.clone();
    expected.tls.key_password = back.tls.key_password.clone();
    assert_eq!(back, expected);
}

#[test]
fn the_rendering_of_the_guide_file_loads_back_identically() {
    let env = [("AUTH_TOKEN", "t")];
    let c = Config::load(Some(&fixture("server.yaml")), &env).unwrap();
    let text = c.to_string();
    assert!(text.contains("max_size_mb: 100"), "{text}");
    assert!(text.contains("strategy: round_robin"), "{text}");
    let mut back = Config::from_yaml(&text, "rendered", &NO_ENV).unwrap();
    back.authentication.token = c.authentication.token.clone();
    assert_eq!(back, c);
}

#[test]
fn the_check_report_says_where_values_came_from() {
    let env = [
        ("AUTH_TOKEN", "t"),
        ("ZIG3270_MAX_SESSIONS", "500"),
        ("ZIG3270_GC_INTERVAL_MS", "5000"),
    ];
    let report = bridge::config::check_report(Some(&fixture("server.yaml")), &env).unwrap();
    assert!(report.starts_with("# file: "), "{report}");
    assert!(
        report.contains("# sessions.max_sessions from environment variable ZIG3270_MAX_SESSIONS\n"),
        "{report}"
    );
    assert!(
        report.contains("# ZIG3270_GC_INTERVAL_MS is ignored by web3270\n"),
        "{report}"
    );
    assert!(report.contains("max_sessions: 500\n"), "{report}");

    let report = bridge::config::check_report(None, &NO_ENV).unwrap();
    assert!(report.contains("builtin: demo"), "{report}");
    assert!(
        report.contains("bind_address: 127.0.0.1")
            || report.contains("bind_address: \"127.0.0.1\""),
        "{report}"
    );

    let e = bridge::config::check_report(None, &[("WEB3270_PORT", "0")]).unwrap_err();
    assert_eq!(e.key(), Some("server.port"));
}

#[test]
fn the_reference_example_loads() {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/CONFIG-REFERENCE.md"),
    )
    .unwrap();
    let example = doc.split("## Example\n```yaml\n").nth(1).unwrap();
    let example = example.split("```").next().unwrap();
    let c = Config::from_yaml(example, "CONFIG-REFERENCE.md", &[("AUTH_TOKEN", "t")]).unwrap();
    assert_eq!(c.sessions.timeout_seconds, Duration::from_secs(8 * 3600));
    assert_eq!(c.load_balancer.strategy, Strategy::Weighted);
    let primary = c.endpoint("primary").unwrap();
    assert_eq!(primary.lu_names, ["TSO00001", "TSO00002"]);
    assert_eq!(primary.tls.mode, TlsMode::Implicit);
    assert!(c.audit.is_enabled());
}

#[test]
fn a_literal_dollar_brace_survives_the_rendering() {
    let yaml = "logging: { file: '/var/log/${HOSTNAME}/server.log' }\n";
    let c = Config::from_yaml(yaml, "f", &[("HOSTNAME", "expanded")]).unwrap();
    assert_eq!(
        c.logging.file.as_deref(),
        Some(Path::new("/var/log/${HOSTNAME}/server.log"))
    );
    let back =
        Config::from_yaml(&c.render_masked(), "rendered", &[("HOSTNAME", "expanded")]).unwrap();
    assert_eq!(back.logging.file, c.logging.file);
}
