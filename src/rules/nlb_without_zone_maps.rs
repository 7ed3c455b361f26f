use crate::context::Version;
use crate::model::clb_annotations::{lb_kind, LbKind};
use crate::model::{ServiceView, ALIBABA_PREFIX, NLB_CLASS};
use crate::rule::{declare_rule, Advice, Draft, FixId, Rule, RuleContext};
use super::support::owner;

declare_rule! {
    /// ## What it does
    /// Flags a `LoadBalancer` Service (or an IstioGateway's rendered Service)
    /// with `loadBalancerClass: alibabacloud.com/nlb` that does not reuse an
    /// NLB (no `alibaba-cloud-loadbalancer-id`) and whose
    /// `alibaba-cloud-loadbalancer-zone-maps` annotation is missing, empty,
    /// malformed or names fewer than two zones.
    ///
    /// ## Why is this bad?
    /// For an NLB it creates, the CCM requires the zone mappings: without the
    /// annotation (or with an empty value) it stops with "ParameterMissing,
    /// zone mappings are required" (`nlbv2/loadbalancer.go` L50-58, S144), and
    /// an entry without `zone:vSwitch` fails with "ZoneMapping format error,
    /// expect [zone-a:vsw-id-1,zone-b:vsw-id-2]" (`parseZoneMappings`,
    /// L639-666). The format is `{zone}:{vSwitchID}[:{private IP}[:{EIP ID}]]`,
    /// comma-separated. The CCM itself accepts a single zone, but ACK's NLB
    /// annotation reference says zone and vSwitch are required, "at least two"
    /// (S141), and ASM asks for vSwitches in at least two zones before an
    /// ingress gateway can use NLB (S140). No NLB is created and the Service
    /// stays pending.
    ///
    /// NLB support needs Kubernetes 1.24, CCM v2.5.0 (ACK's figure; the first
    /// open-source tag with NLB is v2.5.1) and, for ASM gateways, ASM 1.18
    /// (S140, S141, S144).
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: istio-ingressgateway
    ///   namespace: istio-system
    ///   annotations:
    ///     service.beta.kubernetes.io/alibaba-cloud-loadbalancer-zone-maps: "cn-hangzhou-k:vsw-k1"
    /// spec:
    ///   type: LoadBalancer
    ///   loadBalancerClass: alibabacloud.com/nlb
    /// ```
    ///
    /// ## Fix
    /// - `add-zone-maps` (display-only): set the annotation to vSwitches in at
    ///   least two zones, `zone-a:vsw-a,zone-b:vsw-b`. The IDs come from the
    ///   cluster's VPC, which the manifest does not show.
    pub struct NlbWithoutZoneMaps {
        code: "ASM-NLB-040",
        name: "nlb-without-zone-maps",
        title: "NLB without zone-maps in at least two zones",
        title_zh: "NLB 未在 zone-maps 中指定至少两个可用区",
        severity: Error,
        fix: None,
        sources: ["S140", "S141", "S144"],
    }
}

/// Advice: set the NLB `zone-maps` annotation with vSwitches in two zones.
const ADD_ZONE_MAPS: FixId = FixId::new("add-zone-maps");

/// The first CCM with NLB support, as ACK documents it (S141).
const NLB_CCM: Version = Version(2, 5, 0);

impl Rule for NlbWithoutZoneMaps {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for svc in cx.services {
            // `lb_kind` also leaves out Services another controller claims (`service.beta.kubernetes.io/class`).
            if lb_kind(svc) != Some(LbKind::Nlb) || svc.lb_annotation("id").is_some() {
                continue;
            }
            let Some(class) = svc.load_balancer_class.as_ref().filter(|c| c.text() == Some(NLB_CLASS)) else {
                continue;
            };
            let zone_maps = svc.lb_annotation("zone-maps");
            let problem = match zone_maps.and_then(|f| f.text()).filter(|v| !v.is_empty()) {
                None => Problem::Missing,
                Some(value) => match zones(value) {
                    Err(entry) => Problem::Malformed(entry),
                    Ok(zones) if zones.len() < 2 => Problem::OneZone(zones.first().copied().unwrap_or_default()),
                    Ok(_) => continue,
                },
            };
            let path = zone_maps.map_or(&class.path, |f| &f.path);
            out.push(draft(cx, svc, path, &problem));
        }
    }
}

/// What is wrong with the zone mappings.
enum Problem<'a> {
    /// No annotation, or an empty value: the CCM's "ParameterMissing".
    Missing,
    /// An entry without a zone and a vSwitch: the CCM's "ZoneMapping format error".
    Malformed(&'a str),
    /// One zone only (possibly listed twice).
    OneZone(&'a str),
}

/// The distinct zones of a `zone-maps` value, in order, or the first entry
/// that is not `zone:vSwitch[:...]` (as `parseZoneMappings` splits it, S144).
fn zones(value: &str) -> Result<Vec<&str>, &str> {
    let mut zones: Vec<&str> = Vec::new();
    for entry in value.split(',') {
        let mut items = entry.split(':');
        let (Some(zone), Some(vswitch)) = (items.next(), items.next()) else { return Err(entry) };
        if zone.trim().is_empty() || vswitch.trim().is_empty() {
            return Err(entry);
        }
        if !zones.contains(&zone) {
            zones.push(zone);
        }
    }
    Ok(zones)
}

fn draft(cx: &RuleContext<'_>, svc: &ServiceView<'_>, path: &str, problem: &Problem<'_>) -> Draft {
    let who = owner(cx, svc);
    let key = format!("{ALIBABA_PREFIX}zone-maps");
    let (message, label) = match problem {
        Problem::Missing => (
            cx.t(
                format_args!("NLB {who} has no {key}: the CCM stops with \"ParameterMissing, zone mappings are required\" and creates no NLB"),
                format_args!("NLB {who} 没有 {key}：CCM 报错 \"ParameterMissing, zone mappings are required\"，不会创建 NLB"),
            ),
            cx.t("an NLB the CCM creates needs zone mappings", "CCM 创建的 NLB 需要可用区映射"),
        ),
        Problem::Malformed(entry) => (
            cx.t(
                format_args!("{key} of {who} has the entry `{entry}`, which is not zone:vSwitch: the CCM stops with \"ZoneMapping format error\""),
                format_args!("{who} 的 {key} 含有条目 `{entry}`，不是 可用区:交换机 的格式：CCM 报错 \"ZoneMapping format error\""),
            ),
            cx.t("expected zone-a:vsw-a,zone-b:vsw-b", "应为 zone-a:vsw-a,zone-b:vsw-b"),
        ),
        Problem::OneZone(zone) => (
            cx.t(
                format_args!("{key} of {who} names one zone ({zone}); an NLB needs vSwitches in at least two zones"),
                format_args!("{who} 的 {key} 只指定了一个可用区（{zone}）；NLB 需要至少两个可用区的交换机"),
            ),
            cx.t("add a vSwitch in a second zone", "再添加一个其他可用区的交换机"),
        ),
    };
    let mut draft = Draft::new(&NlbWithoutZoneMaps::META, svc.resource, path.to_owned(), message).label(label);
    if let Some(ccm) = cx.cluster.ccm_version.filter(|v| *v < NLB_CCM) {
        draft = draft.note(cx.t(
            format_args!("your CCM {ccm} is older than v2.5.0 and does not handle NLB Services at all"),
            format_args!("你的 CCM {ccm} 低于 v2.5.0，完全不处理 NLB Service"),
        ));
    }
    draft.advice(
        Advice::new(
            ADD_ZONE_MAPS,
            cx.t(
                format_args!(
                    "set {key}: \"<zone-a>:<vsw-a>,<zone-b>:<vsw-b>\" with vSwitches of the cluster's VPC in two zones"
                ),
                format_args!("设置 {key}: \"<zone-a>:<vsw-a>,<zone-b>:<vsw-b>\"，使用集群 VPC 中两个可用区的交换机"),
            ),
        )
        .tradeoff(cx.t(
            "the vSwitch IDs are not in the manifest; the NLB console lists the zones NLB supports in the region",
            "交换机 ID 不在清单中；可在 NLB 控制台查看该地域 NLB 支持的可用区",
        )),
    )
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rules::test_support::*;

    const NLB: &str = "apiVersion: v1
kind: Service
metadata:
  name: istio-ingressgateway
  namespace: istio-system
  annotations:
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-zone-maps: \"cn-hangzhou-k:vsw-k1,cn-hangzhou-j:vsw-j1\"
spec:
  type: LoadBalancer
  loadBalancerClass: alibabacloud.com/nlb
";

    fn finding(text: &str) -> Option<(String, String)> {
        let report = check_with(text, &[]);
        let found: Vec<_> = report.findings.iter().filter(|f| f.code == "ASM-NLB-040").collect();
        assert!(found.len() <= 1, "{found:#?}");
        found.first().map(|f| (f.location.path.clone(), f.message.clone()))
    }

    #[test]
    fn two_zones_pass() {
        assert_eq!(finding(NLB), None);
        let legacy = NLB.replace("alibaba-cloud-loadbalancer-zone-maps", "alicloud-loadbalancer-zone-maps");
        assert_eq!(finding(&legacy), None);
        let with_ip = NLB.replace("vsw-j1", "vsw-j1:192.168.1.10:eip-123");
        assert_eq!(finding(&with_ip), None);
    }

    #[test]
    fn missing_empty_malformed_and_single_zone_are_errors() {
        let missing = NLB.replace(
            "  annotations:\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-zone-maps: \"cn-hangzhou-k:vsw-k1,cn-hangzhou-j:vsw-j1\"\n",
            "",
        );
        let (path, message) = finding(&missing).unwrap();
        assert_eq!(path, "/spec/loadBalancerClass");
        assert!(message.contains("ParameterMissing, zone mappings are required"), "{message}");
        let report = check_with(&missing, &[]);
        let f = only(&report, "ASM-NLB-040");
        assert_eq!(f.severity.as_str(), "error");
        assert_eq!(f.fixes[0].id, "add-zone-maps");
        assert_eq!(f.fixes[0].applicability, crate::rule::Applicability::DisplayOnly);

        let annotation = "/metadata/annotations/service.beta.kubernetes.io~1alibaba-cloud-loadbalancer-zone-maps";
        let empty = NLB.replace("\"cn-hangzhou-k:vsw-k1,cn-hangzhou-j:vsw-j1\"", "\"\"");
        assert!(finding(&empty).unwrap().1.contains("ParameterMissing"));
        let malformed = NLB.replace("cn-hangzhou-j:vsw-j1", "cn-hangzhou-j");
        let (path, message) = finding(&malformed).unwrap();
        assert_eq!(path, annotation);
        assert!(message.contains("`cn-hangzhou-j`") && message.contains("ZoneMapping format error"), "{message}");
        let one = NLB.replace(",cn-hangzhou-j:vsw-j1", "");
        assert!(finding(&one).unwrap().1.contains("names one zone (cn-hangzhou-k)"));
        let same_zone_twice = NLB.replace("cn-hangzhou-j:vsw-j1", "cn-hangzhou-k:vsw-k2");
        assert!(finding(&same_zone_twice).unwrap().1.contains("names one zone"));
    }

    #[test]
    fn reused_nlbs_clbs_and_old_ccms() {
        let one = NLB.replace(",cn-hangzhou-j:vsw-j1", "");
        let reused = one.replace(
            "  annotations:\n",
            "  annotations:\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-id: nlb-123\n",
        );
        assert_eq!(finding(&reused), None);
        let clb = one.replace("  loadBalancerClass: alibabacloud.com/nlb\n", "");
        assert_eq!(finding(&clb), None);
        let other_controller =
            one.replace("  annotations:\n", "  annotations:\n    service.beta.kubernetes.io/class: my-lb\n");
        assert_eq!(finding(&other_controller), None);
        let gateway = "apiVersion: istio.alibabacloud.com/v1beta1\nkind: IstioGateway\nmetadata: {name: ingressgateway, namespace: istio-system}\nspec:\n  serviceType: LoadBalancer\n  loadBalancerClass: alibabacloud.com/nlb\n";
        assert_eq!(finding(gateway).unwrap().0, "/spec/loadBalancerClass");
        let old = check_with(&one, &[("ccmVersion", "v2.4.0")]);
        assert!(only(&old, "ASM-NLB-040").notes.iter().any(|n| n.text.contains("older than v2.5.0")));
    }
}
