//! Sending mail over SMTP with lettre: `smtp://host:port` (plain, for a local relay),
//! `smtp://user:pass@host:587?tls=required` (STARTTLS) or `smtps://user:pass@host` (TLS), at
//! most 10 seconds per send.

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// The longest one send may take before it counts as failed and is retried.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// An SMTP client and the sender address.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// `None` when `smtp_url` is empty (mail disabled).
    pub fn from_config(smtp_url: &str, mail_from: &str) -> Result<Option<Mailer>, String> {
        if smtp_url.trim().is_empty() {
            return Ok(None);
        }
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| format!("smtp_url: {e}"))?
            .timeout(Some(SEND_TIMEOUT))
            .build();
        let from = mail_from
            .parse::<Mailbox>()
            .map_err(|e| format!("mail_from: {e}"))?;
        Ok(Some(Mailer { transport, from }))
    }

    /// Sends one mail with a plain-text and an HTML body.
    pub async fn send(
        &self,
        to: &str,
        subject: &str,
        text: &str,
        html: &str,
    ) -> Result<(), String> {
        let to: Mailbox = to.parse().map_err(|e| format!("recipient {to}: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .multipart(MultiPart::alternative_plain_html(
                text.to_string(),
                html.to_string(),
            ))
            .map_err(|e| format!("message: {e}"))?;
        match actix_web::rt::time::timeout(SEND_TIMEOUT, self.transport.send(message)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(format!("smtp: {e}")),
            Err(_) => Err(format!(
                "smtp: no answer within {} s",
                SEND_TIMEOUT.as_secs()
            )),
        }
    }
}
