//! Prometheus metrics, served at `/metrics`.

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// The server's metrics.
pub struct Metrics {
    registry: Registry,
    /// Requests answered, by method and status.
    pub requests: Family<Vec<(String, String)>, Counter>,
    /// Time to answer a request, in seconds.
    pub latency: Histogram,
    /// Reports stored, by risk band.
    pub reports: Family<Vec<(String, String)>, Counter>,
    /// Logins refused (bad credentials or too many attempts).
    pub login_failures: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("forewarn");
        let requests = Family::<Vec<(String, String)>, Counter>::default();
        let latency = Histogram::new([0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0]);
        let reports = Family::<Vec<(String, String)>, Counter>::default();
        let login_failures = Counter::default();
        registry.register("http_requests", "HTTP requests answered", requests.clone());
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request",
            latency.clone(),
        );
        registry.register("reports", "Reports stored, by risk band", reports.clone());
        registry.register(
            "login_failures",
            "Logins refused: bad credentials or too many attempts",
            login_failures.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            reports,
            login_failures,
        }
    }
}

impl Metrics {
    /// The metrics in Prometheus' text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}
