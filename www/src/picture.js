// ASM-LB-001 as a picture: nodes, the ones hosting gateway pods, and which
// in-cluster clients reach the load balancer address. The verdict is the
// checker's (the finding's severity under the current context), not ours.
import { s } from "./dom.js";
import { t } from "./i18n.js";

/**
 * @param {object} p
 * @param {number} p.nodes
 * @param {number} p.replicas
 * @param {string} p.policy  effective externalTrafficPolicy
 * @param {object|null} p.finding  the ASM-LB-001 finding for this gateway, if any
 * @param {string} p.clients  inClusterClients answer
 * @returns {{svg: SVGElement, caption: string}}
 */
export function drawPicture({ nodes, replicas, policy, finding, clients, service }) {
  const width = Math.max(560, nodes * 150 + 40);
  const height = 300;
  const lbX = width / 2;
  const lbY = 40;
  const noClients = clients === "none";
  const hostNetwork = clients === "host-network";
  // Nodes without a gateway pod: what happens to their clients.
  let remote = "ok";
  let caption = t("captionOk", policy);
  if (finding) {
    if (noClients) {
      caption = t("captionNoClients");
    } else if (finding.severity === "error") {
      remote = "bad";
      caption = t("captionBad");
    } else if (finding.severity === "warning") {
      remote = "maybe";
      caption = t("captionMaybe");
    } else {
      caption = t("captionInfo");
    }
  }
  const svg = s("svg", {
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: "img",
    class: "cluster-picture",
    "aria-labelledby": "picture-title picture-desc",
  });
  svg.append(s("title", { id: "picture-title" }, `${service}: ${t("picture")}`), s("desc", { id: "picture-desc" }, caption));
  svg.append(
    s("rect", { x: lbX - 80, y: lbY - 22, width: 160, height: 44, rx: 8, class: "lb" }),
    s("text", { x: lbX, y: lbY + 5, "text-anchor": "middle", class: "lb-label" }, t("lb")),
  );
  const hosting = Math.min(Math.max(replicas, 0), nodes);
  for (let i = 0; i < nodes; i++) {
    const x = 20 + i * ((width - 40) / nodes);
    const w = (width - 40) / nodes - 16;
    const y = 130;
    const hasGateway = i < hosting;
    const verdict = hasGateway || noClients ? "ok" : remote;
    const node = s("g", { class: `node ${hasGateway ? "has-gateway" : "no-gateway"}`, "data-verdict": noClients ? "none" : verdict });
    const cy = y + 100;
    if (!noClients) {
      // The path first, so the boxes are drawn over it.
      node.append(s("line", { x1: x + w / 2, y1: cy, x2: lbX, y2: lbY + 22, class: `path ${verdict}` }));
    }
    node.append(
      s("rect", { x, y, width: w, height: 150, rx: 6, class: "node-box" }),
      s("text", { x: x + 8, y: y + 18, class: "node-label" }, t("node", i + 1)),
    );
    if (hasGateway) {
      node.append(
        s("rect", { x: x + 8, y: y + 30, width: w - 16, height: 30, rx: 4, class: "gateway-pod" }),
        s("text", { x: x + w / 2, y: y + 50, "text-anchor": "middle" }, t("gatewayPod")),
      );
    }
    if (!noClients) {
      const mark = { ok: t("reaches"), bad: t("fails"), maybe: t("mayFail") }[verdict];
      node.append(
        s("rect", { x: x + 8, y: cy, width: w - 16, height: 30, rx: 4, class: "client" }),
        s("text", { x: x + w / 2, y: cy + 20, "text-anchor": "middle" }, hostNetwork ? t("hostClient") : t("clientPod")),
        s("text", { x: x + w / 2, y: y + 145, "text-anchor": "middle", class: `verdict ${verdict}` }, `${{ ok: "✓", bad: "✗", maybe: "?" }[verdict]} ${mark}`),
      );
    }
    svg.append(node);
  }
  return { svg, caption };
}
