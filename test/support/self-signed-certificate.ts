// The receiver command makes its syslog certificate the same way; the tests take it from there.
export { selfSignedCertificate } from '../../devtools/siem-receiver/self-signed-certificate.js';
export type { SelfSignedCertificate } from '../../devtools/siem-receiver/self-signed-certificate.js';
