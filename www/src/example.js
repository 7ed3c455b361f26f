// The founding example (the ASM FAQ, S6 in src/sources.rs): an ASM ingress gateway behind a CLB with externalTrafficPolicy: Local.
export const FOUNDING_EXAMPLE = `apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata:
  name: ingressgateway
  namespace: istio-system
spec:
  externalTrafficPolicy: Local   # keep client IPs for the WAF
  maxReplicas: 5
  minReplicas: 2
  replicaCount: 2
  ports:
    - name: status-port
      port: 15020
      targetPort: 15020
    - name: http2
      port: 80
      targetPort: 80
    - name: https
      port: 443
      targetPort: 443
  runAsRoot: false
  serviceType: LoadBalancer
`;
