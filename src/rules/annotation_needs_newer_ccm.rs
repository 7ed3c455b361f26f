use crate::model::clb_annotations::{entry_for_key, lb_kind, split_key, CcmVersion, LbKind, Prefix};
use crate::rule::{declare_rule, Advice, Draft, Rule, RuleContext};
use super::support::owner;
use super::support::fix_ids;

const BASELINE: CcmVersion = CcmVersion(1, 9, 3, 0);

declare_rule! {
    /// ## What it does
    /// With a `ccmVersion` in the cluster context, flags CLB annotations that
    /// the CCM's CLB path reads only from a later version — e.g. `hostname`
    /// (v2.3.0), `proxy-protocol` and `health-check-switch` (v2.6.0), `ip`
    /// (v2.7.0), `preserve-lb-on-delete` (v2.10.0), `network-type` and
    /// `tunnel-type` (v2.12.4). Without `ccmVersion` it reports nothing.
    ///
    /// ## Why is this bad?
    /// An older CCM does not know the key and ignores it without an event: the
    /// manifest promises a load balancer setting the cluster does not apply.
    /// The versions are the first CCM tags whose source reads each key
    /// (S120, `git tag --contains`), refined by the ACK annotation reference
    /// (S8) and release notes (S15) where they fall between two OSS tags.
    ///
    /// Catalogue versions have up to four parts (`v1.9.3.81`); the context's
    /// version keeps three, so when they agree on three parts the rule cannot
    /// tell and stays quiet. NLB Services are not checked: S8's versions are
    /// for CLB.
    ///
    /// ## Example
    /// With `--context ccmVersion=v2.1.0`:
    /// ```yaml
    /// metadata:
    ///   annotations:
    ///     service.beta.kubernetes.io/alibaba-cloud-loadbalancer-proxy-protocol: "on"
    /// ```
    ///
    /// ## Fix
    /// `upgrade-ccm` (display-only): upgrade the cloud-controller-manager
    /// add-on to the version named, or drop the annotation.
    pub struct AnnotationNeedsNewerCcm {
        code: "ASM-ANN-030",
        name: "annotation-needs-newer-ccm",
        title: "annotation needs a newer CCM",
        title_zh: "注解需要更新版本的 CCM",
        severity: Warning,
        fix: None,
        sources: ["S8", "S15", "S120"],
    }
}

impl Rule for AnnotationNeedsNewerCcm {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        let Some(have) = cx.cluster.ccm_version else { return };
        for svc in cx.services {
            if lb_kind(svc) != Some(LbKind::Clb) {
                continue;
            }
            for (key, field) in &svc.annotations {
                let Some(entry) = entry_for_key(key) else { continue };
                let min = entry.since;
                // v1.9.3 is the oldest version S8 tracks, the one that added the
                // alibaba-cloud- prefix; older CCMs read the legacy alicloud- keys.
                if min <= BASELINE && matches!(split_key(key), Some((Prefix::Legacy, _))) {
                    continue;
                }
                if min.newer_than(have) != Some(true) {
                    continue;
                }
                let who = owner(cx, svc);
                let message = cx.t(
                    format_args!("annotation {key} of {who} needs CCM {min} or later; the cluster runs v{have}"),
                    format_args!("{who} 的注解 {key} 需要 CCM {min} 及以上；集群运行的是 v{have}"),
                );
                out.push(
                    Draft::new(&Self::META, svc.resource, field.path.clone(), message)
                        .note(cx.t(
                            format_args!("ccmVersion v{have} comes from the context you gave"),
                            format_args!("ccmVersion v{have} 来自你提供的上下文"),
                        ))
                        .advice(
                            Advice::new(
                                fix_ids::UPGRADE_CCM,
                                cx.t(
                                    format_args!("upgrade the cloud-controller-manager add-on to {min} or later"),
                                    format_args!("将 cloud-controller-manager 组件升级到 {min} 及以上"),
                                ),
                            )
                            .tradeoff(cx.t(
                                "a CCM upgrade may change defaults for other Services (see the CCM release notes)",
                                "升级 CCM 可能改变其他 Service 的默认行为（见 CCM 发布记录）",
                            )),
                        ),
                );
            }
        }
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rules::test_support::*;

    const TEXT: &str = "apiVersion: v1\nkind: Service\nmetadata: {name: plain}\nspec: {type: LoadBalancer}\n---\napiVersion: istio.alibabacloud.com/v1beta1\nkind: IstioGateway\nmetadata: {name: ingressgateway, namespace: istio-system}\nspec:\n  serviceAnnotations:\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-proxy-protocol: \"on\"\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-id: lb-1\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-health-check-type: tcp\n";

    #[test]
    fn only_with_a_ccm_version() {
        assert!(!codes(&check_with(TEXT, &[])).contains(&"ASM-ANN-030"));
        let report = check_with(TEXT, &[("ccmVersion", "v2.1.0")]);
        let f = only(&report, "ASM-ANN-030");
        assert_eq!(f.location.document, 1);
        assert!(f.message.contains("proxy-protocol") && f.message.contains("v2.6.0") && f.message.contains("v2.1.0"));
        assert!(!codes(&check_with(TEXT, &[("ccmVersion", "v2.6.0")])).contains(&"ASM-ANN-030"));
    }

    #[test]
    fn four_part_minimums_are_compared_when_they_can_be() {
        // id needs v1.9.3.81 and health-check-type v1.9.3: v1.9.2 is older than
        // both; v1.9.3 has health-check-type, and cannot be told apart from v1.9.3.81.
        let r = check_with(TEXT, &[("ccmVersion", "v1.9.2")]);
        assert_eq!(r.findings.iter().filter(|f| f.code == "ASM-ANN-030").count(), 3);
        let r = check_with(TEXT, &[("ccmVersion", "v1.9.3")]);
        assert_eq!(r.findings.iter().filter(|f| f.code == "ASM-ANN-030").count(), 1);
        // Legacy keys predate the v1.9.3 baseline.
        let legacy =
            TEXT.replace("alibaba-cloud-loadbalancer-health-check-type", "alicloud-loadbalancer-health-check-type");
        let r = check_with(&legacy, &[("ccmVersion", "v1.9.2")]);
        assert_eq!(r.findings.iter().filter(|f| f.code == "ASM-ANN-030").count(), 2);
    }
}
