// E-mail over SMTP (nodemailer): one transport per run, closed after it. Unset MIZAN_SMTP_URL means no e-mail.
import nodemailer from 'nodemailer';
import type { Config } from './config.ts';

export interface Mail {
  to: string | string[];
  subject: string;
  text: string;
  html: string;
  attachments?: { filename: string; content: Buffer; contentType: string }[];
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
  close(): void;
}

/** Removes the SMTP URL's password, user and the whole URL from a message bound for a log line. */
export function redactSmtp(message: string, smtpUrl: string | undefined): string {
  if (!smtpUrl) return message;
  let out = message.split(smtpUrl).join('smtp://…');
  if (URL.canParse(smtpUrl)) {
    const u = new URL(smtpUrl);
    for (const secret of [u.password, decodeURIComponent(u.password)]) if (secret.length >= 3) out = out.split(secret).join('***');
  }
  return out;
}

export function createMailer(config: Pick<Config, 'MIZAN_SMTP_URL' | 'MIZAN_MAIL_FROM'>): Mailer | null {
  if (!config.MIZAN_SMTP_URL) return null;
  // Timeouts keep a silent server from holding the job (120 s per socket read: reports go as attachments); nodemailer's own logger stays off (it could print credentials).
  const transport = nodemailer.createTransport(
    { url: config.MIZAN_SMTP_URL, connectionTimeout: 20_000, greetingTimeout: 20_000, socketTimeout: 120_000, logger: false, debug: false },
    { from: config.MIZAN_MAIL_FROM },
  );
  return {
    async send(mail) {
      try {
        await transport.sendMail({ to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, attachments: mail.attachments, textEncoding: 'base64' });
      } catch (err) {
        throw new Error(redactSmtp((err as Error).message || String(err), config.MIZAN_SMTP_URL));
      }
    },
    close: () => transport.close(),
  };
}
