//! Certificates: the run's own CA for pages served at https origins (and the https
//! fixtures), and the trust the user gives APIs with `--ca-cert`.
//!
//! Browsers are told to trust exactly what this run vouches for, never "any certificate":
//! the runner checks each https API's certificate itself against the system's roots plus
//! `--ca-cert`, and only a certificate that passes is handed to the browser (Chromium by
//! the hash of its key, WebKit as the leaf per host; Firefox gets the CAs in its profile).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use base64::Engine as _;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use sha2::{Digest, Sha256};

/// The crypto provider every TLS config of the binary uses.
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A CA made for this run only, and one key for every certificate it issues (so Chromium
/// can trust all of them by one key hash).
pub struct RunCa {
    issuer: Issuer<'static, KeyPair>,
    ca_pem: String,
    leaf_key: KeyPair,
}

/// A server certificate issued by a [`RunCa`].
#[derive(Clone)]
pub struct Leaf {
    pub cert_pem: String,
    pub cert_der: CertificateDer<'static>,
    key_der: Vec<u8>,
}

impl RunCa {
    pub fn new(name: &str) -> anyhow::Result<RunCa> {
        let mut params = CertificateParams::default();
        params.distinguished_name.push(DnType::CommonName, name);
        params.distinguished_name.push(DnType::OrganizationName, "cors-harness");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_key = KeyPair::generate().context("cannot generate the run's CA key")?;
        let ca_cert = params.self_signed(&ca_key).context("cannot make the run's CA")?;
        let ca_pem = ca_cert.pem();
        let issuer = Issuer::new(params, ca_key);
        let leaf_key = KeyPair::generate().context("cannot generate a server key")?;
        Ok(RunCa { issuer, ca_pem, leaf_key })
    }

    /// The CA certificate, PEM.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// A server certificate for `names` (host names or IP addresses).
    pub fn leaf(&self, names: &[String]) -> anyhow::Result<Leaf> {
        let mut params = CertificateParams::new(names.to_vec())
            .with_context(|| format!("cannot make a certificate for {names:?}"))?;
        params
            .distinguished_name
            .push(DnType::CommonName, names.first().cloned().unwrap_or_default());
        params.use_authority_key_identifier_extension = true;
        // Every certificate its own serial: the leaves share one key, and Firefox refuses two
        // certificates of one issuer with the same serial (rcgen derives it from the key).
        let mut serial = [0u8; 16];
        getrandom::fill(&mut serial)
            .map_err(|e| anyhow::anyhow!("no random serial number: {e}"))?;
        serial[0] &= 0x7f;
        params.serial_number = Some(rcgen::SerialNumber::from_slice(&serial));
        let cert = params
            .signed_by(&self.leaf_key, &self.issuer)
            .with_context(|| format!("cannot sign a certificate for {names:?}"))?;
        Ok(Leaf {
            cert_pem: cert.pem(),
            cert_der: cert.der().clone(),
            key_der: self.leaf_key.serialize_der(),
        })
    }

    /// base64(SHA-256(SubjectPublicKeyInfo)) of every certificate this CA issued.
    pub fn leaf_spki_hash(&self) -> String {
        spki_hash(&rcgen::PublicKeyData::subject_public_key_info(&self.leaf_key))
    }
}

impl Leaf {
    /// A TLS server configuration presenting this certificate.
    pub fn server_config(&self) -> anyhow::Result<Arc<ServerConfig>> {
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone()));
        let mut config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .context("TLS versions")?
            .with_no_client_auth()
            .with_single_cert(vec![self.cert_der.clone()], key)
            .context("cannot use the server certificate")?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

/// The form Chromium's `--ignore-certificate-errors-spki-list` takes.
pub fn spki_hash(spki_der: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(spki_der))
}

/// What https APIs are trusted with: the system's roots plus every `--ca-cert`.
#[derive(Clone)]
pub struct ApiTrust {
    client: Arc<ClientConfig>,
    /// The `--ca-cert` files, for browsers that take CAs (Firefox).
    pub ca_files: Vec<PathBuf>,
}

/// A server whose certificate chain this run trusts.
#[derive(Clone, Debug)]
pub struct TrustedServer {
    pub host: String,
    /// The leaf the server presented, PEM (WebKit trusts per host by leaf).
    pub leaf_pem: String,
    /// Its key's hash (Chromium trusts by key).
    pub spki_hash: String,
}

impl ApiTrust {
    /// System roots plus the PEM files named by `--ca-cert`; a file without a certificate is an error naming it.
    pub fn load(ca_files: &[PathBuf]) -> anyhow::Result<ApiTrust> {
        let mut roots = RootCertStore::empty();
        let native = rustls_native_certs::load_native_certs();
        for cert in native.certs {
            let _ = roots.add(cert);
        }
        for file in ca_files {
            let certs = read_certs(file)?;
            for cert in certs {
                roots.add(cert).with_context(|| {
                    format!("--ca-cert {}: not a CA certificate rustls accepts", file.display())
                })?;
            }
        }
        let mut client = ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .context("TLS versions")?
            .with_root_certificates(roots)
            .with_no_client_auth();
        client.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(ApiTrust { client: Arc::new(client), ca_files: ca_files.to_vec() })
    }

    /// The client configuration for the probe endpoint's https replays.
    pub fn client_config(&self) -> Arc<ClientConfig> {
        self.client.clone()
    }

    /// Connects to `addr` as `host` and verifies its chain and name; the leaf when trusted,
    /// else why not, in words (for the result of a case against it).
    pub async fn check(
        &self,
        host: &str,
        port: u16,
        addr: SocketAddr,
    ) -> Result<TrustedServer, String> {
        let name = ServerName::try_from(host.to_owned()).map_err(|e| format!("{host}: {e}"))?;
        let connector = tokio_rustls::TlsConnector::from(self.client.clone());
        let attempt = async {
            let tcp = tokio::net::TcpStream::connect(addr)
                .await
                .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
            let tls = connector.connect(name, tcp).await.map_err(|e| e.to_string())?;
            let (_, session) = tls.get_ref();
            let leaf = session
                .peer_certificates()
                .and_then(|c| c.first())
                .ok_or("the server sent no certificate")?
                .clone();
            Ok::<_, String>(leaf)
        };
        let leaf = tokio::time::timeout(Duration::from_secs(10), attempt)
            .await
            .map_err(|_| format!("no TLS handshake with {host}:{port} within 10 s"))??;
        let (_, parsed) = x509_parser::parse_x509_certificate(&leaf)
            .map_err(|e| format!("{host}:{port} sent a certificate that cannot be read: {e}"))?;
        let spki = parsed.tbs_certificate.subject_pki.raw;
        let leaf_pem = pem_of(&leaf);
        Ok(TrustedServer { host: host.to_owned(), leaf_pem, spki_hash: spki_hash(spki) })
    }
}

/// Every certificate in a PEM file.
pub fn read_certs(file: &Path) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let certs: Vec<_> = CertificateDer::pem_file_iter(file)
        .with_context(|| format!("cannot read --ca-cert {}", file.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("--ca-cert {}: not PEM", file.display()))?;
    if certs.is_empty() {
        bail!(
            "--ca-cert {}: no certificate in it (a PEM file with BEGIN CERTIFICATE)",
            file.display()
        );
    }
    Ok(certs)
}

fn pem_of(der: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in body.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(chunk));
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_run_ca_issues_what_api_trust_accepts_and_nothing_else() {
        let ca = RunCa::new("test CA").unwrap();
        let leaf = ca.leaf(&["api.example.test".into()]).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(leaf.server_config().unwrap());
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let _ = acceptor.accept(tcp).await;
            }
        });
        let dir = std::env::temp_dir().join(format!("cors-harness-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ca_file = dir.join("ca.pem");
        std::fs::write(&ca_file, ca.ca_pem()).unwrap();

        let trusting = ApiTrust::load(std::slice::from_ref(&ca_file)).unwrap();
        let server = trusting.check("api.example.test", addr.port(), addr).await.unwrap();
        assert_eq!(server.spki_hash, ca.leaf_spki_hash());
        assert!(
            trusting.check("other.example.test", addr.port(), addr).await.is_err(),
            "wrong name"
        );
        let system_only = ApiTrust::load(&[]).unwrap();
        assert!(
            system_only.check("api.example.test", addr.port(), addr).await.is_err(),
            "unknown CA"
        );
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "nothing").unwrap();
        assert!(ApiTrust::load(&[empty]).err().unwrap().to_string().contains("empty.pem"));
        let _ = std::fs::remove_dir_all(dir);
    }
}
