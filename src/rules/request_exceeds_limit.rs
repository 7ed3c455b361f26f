use crate::model::{quantity, resources_blocks, Field};
use crate::patch::Op;
use crate::rule::{declare_rule, Applicability, Draft, Fix, FixId, Rule, RuleContext};
use super::support::{quantities, quantity_text, resource_label};

declare_rule! {
    /// ## What it does
    /// Flags a resource request greater than its limit (`requests.cpu: 3` with
    /// `limits.cpu: 2`) in an `IstioGateway`'s `spec.resources` (and each
    /// `overrides` entry's) and in the containers of a gateway `Deployment`.
    ///
    /// ## Why is this bad?
    /// The API server rejects the pod: a request "must be less than or equal
    /// to" its limit (S29, `validateResourceRequirements`, which compares the
    /// two quantities with `Cmp`). For an `IstioGateway` ASM cannot roll out the
    /// gateway Deployment it renders.
    ///
    /// Quantities are compared exactly, as the API server does (`100m` equals
    /// `0.1`, `1Gi` equals `1073741824`); a quantity that does not parse is
    /// left to ASM-RES-017.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   resources:
    ///     requests: {cpu: "3", memory: 256Mi}
    ///     limits: {cpu: "2", memory: 2Gi}
    /// ```
    ///
    /// ## Fix
    /// Both change what the scheduler reserves or the kernel enforces, so both
    /// are unsafe, and neither is preferred:
    /// - `lower-request`: the request takes the limit's value.
    /// - `raise-limit`: the limit takes the request's value.
    pub struct RequestExceedsLimit {
        code: "ASM-RES-015",
        name: "request-exceeds-limit",
        title: "resource request greater than its limit",
        title_zh: "资源请求大于限制",
        severity: Error,
        fix: Always,
        sources: ["S29"],
    }
}

/// Lowers a resource request to its limit.
const LOWER_REQUEST: FixId = FixId::new("lower-request");
/// Raises a resource limit to its request.
const RAISE_LIMIT: FixId = FixId::new("raise-limit");

impl Rule for RequestExceedsLimit {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for block in resources_blocks(cx.resources) {
            let limits = quantities(&block.field, "limits");
            for (name, request) in quantities(&block.field, "requests") {
                let Some((_, limit)) = limits.iter().rev().find(|(n, _)| *n == name) else { continue };
                let (Some(req_text), Some(lim_text)) = (quantity_text(request.node), quantity_text(limit.node)) else {
                    continue;
                };
                let (Some(req), Some(lim)) = (quantity::nano_units(&req_text), quantity::nano_units(&lim_text)) else {
                    continue;
                };
                if req <= lim {
                    continue;
                }
                let what = resource_label(&cx.resources[block.resource]);
                let owner = &block.owner;
                let message = cx.t(
                    format_args!("requests.{name} {req_text} is greater than limits.{name} {lim_text} in {owner} of {what}; the API server rejects it"),
                    format_args!("{what} 的 {owner} 中 requests.{name} {req_text} 大于 limits.{name} {lim_text}；API server 会拒绝"),
                );
                out.push(
                    Draft::new(&Self::META, block.resource, request.path.clone(), message)
                        .label(
                            cx.t(
                                format_args!("greater than the limit {lim_text}"),
                                format_args!("大于限制 {lim_text}"),
                            ),
                        )
                        .note(cx.t(
                            "the API server validates every request against its limit (S29)",
                            "API server 会校验每项请求不超过其限制（S29）",
                        ))
                        .fix(set_to(cx, LOWER_REQUEST, &request, limit, &lim_text))
                        .fix(set_to(cx, RAISE_LIMIT, limit, &request, &req_text)),
                );
            }
        }
    }
}

/// Gives `target` the value of `source`, written as `source` is.
fn set_to(cx: &RuleContext<'_>, id: FixId, target: &Field<'_>, source: &Field<'_>, text: &str) -> Fix {
    let (title, tradeoff) = if id == LOWER_REQUEST {
        (
            cx.t(format_args!("lower the request to {text}"), format_args!("将请求降低到 {text}")),
            cx.t(
                "the scheduler reserves less: the gateway may land on a busier node and get less under contention",
                "调度器预留的资源变少：网关可能被调度到更繁忙的节点，资源竞争时获得更少",
            ),
        )
    } else {
        (
            cx.t(format_args!("raise the limit to {text}"), format_args!("将限制提高到 {text}")),
            cx.t(
                "the gateway may use more of the node before it is throttled or OOM-killed",
                "网关在被限流或 OOM 终止前可以使用更多节点资源",
            ),
        )
    };
    Fix::new(id, Applicability::Unsafe, title)
        .op(Op::replace(target.path.clone(), source.node.to_json()))
        .tradeoff(tradeoff)
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rules::test_support::*;

    const GATEWAY: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: ingressgateway, namespace: istio-system}
spec:
  resources:
    requests:
      cpu: '3'      # three cores
      memory: 1Gi
    limits:
      cpu: '2'
      memory: 1073741824
";

    #[test]
    fn request_above_limit_is_an_error() {
        let report = check_with(GATEWAY, &[]);
        let f = only(&report, "ASM-RES-015");
        assert_eq!(f.severity.as_str(), "error");
        assert_eq!(f.location.path, "/spec/resources/requests/cpu");
        assert_eq!(
            f.message,
            "requests.cpu 3 is greater than limits.cpu 2 in spec.resources of IstioGateway istio-system/ingressgateway; the API server rejects it"
        );
    }

    #[test]
    fn equal_quantities_in_other_units_pass() {
        let text = "apiVersion: istio.alibabacloud.com/v1beta1\nkind: IstioGateway\nmetadata: {name: g, namespace: istio-system}\nspec:\n  resources:\n    requests: {cpu: '0.1', memory: 1Gi}\n    limits: {cpu: 100m, memory: 1073741824}\n";
        assert!(!codes(&check_with(text, &[])).contains(&"ASM-RES-015"));
    }

    #[test]
    fn gateway_deployment_after_a_clean_one() {
        let deployment = |name: &str, request: &str| {
            format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: istio-system}}\nspec:\n  template:\n    metadata:\n      labels: {{istio: ingressgateway}}\n    spec:\n      containers:\n      - name: istio-proxy\n        resources:\n          requests: {{memory: {request}}}\n          limits: {{memory: 1Gi}}\n")
        };
        let text = format!("{}---\n{}", deployment("a", "512Mi"), deployment("b", "2Gi"));
        let f = only(&check_with(&text, &[]), "ASM-RES-015").clone();
        assert_eq!(f.location.document, 1);
        assert!(f.message.contains("in container istio-proxy of Deployment istio-system/b"), "{}", f.message);
        assert_eq!(
            apply_fix(&text, "raise-limit", &[]),
            format!(
                "{}---\n{}",
                deployment("a", "512Mi"),
                deployment("b", "2Gi").replace("limits: {memory: 1Gi}", "limits: {memory: 2Gi}")
            )
        );
    }

    #[test]
    fn fixes_copy_the_other_value() {
        assert_eq!(apply_fix(GATEWAY, "lower-request", &[]), GATEWAY.replace("cpu: '3'      #", "cpu: '2'      #"));
        assert_eq!(apply_fix(GATEWAY, "raise-limit", &[]), GATEWAY.replace("cpu: '2'\n", "cpu: '3'\n"));
    }
}
