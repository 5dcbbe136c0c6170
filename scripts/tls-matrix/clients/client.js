// Node's tls verdict on a server: connect to 127.0.0.1:PORT as HOST,
// trusting Node's bundled roots plus CA_FILE.
const tls = require('tls');
const fs = require('fs');
const [port, host, caFile] = process.argv.slice(2);
const ca = [...tls.rootCertificates];
if (caFile !== '-') ca.push(fs.readFileSync(caFile, 'utf8'));
const s = tls.connect({ host: '127.0.0.1', port: Number(port), servername: host, ca,
  checkServerIdentity: (h, cert) => tls.checkServerIdentity(host, cert) }, () => {
  console.log('accept');
  s.end();
});
s.on('error', (e) => { console.log('refuse: ' + (e.code || '') + ' ' + e.message); });
s.setTimeout(5000, () => { console.log('refuse: timeout'); s.destroy(); });
