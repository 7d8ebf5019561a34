/** Words for the validation codes of the server's auth routes (`@colyseus/auth` answers `[body.password] password_too_short`). */
const WORDS: Readonly<Record<string, string>> = {
  email_malformed: "the email address is not valid",
  email_required: "an email address is required",
  password_too_short: "the password must have at least 6 characters",
  password_required: "a password is required",
  name_too_long: "the name is too long",
};

/**
 * A server's refusal in words a page can show: each `[body.field] code` of a validation error
 * becomes a sentence (unknown codes are spelled out: `field: some code`); other messages are kept.
 */
export function readableAuthMessage(message: string): string {
  const parts = message.split(";").map((part) => part.trim());
  if (!parts.every((part) => /^\[[^\]]+\] [a-z_]+$/.test(part))) return message;
  const sentences = parts.map((part) => {
    const [, field, code] = /^\[(?:body\.)?([^\]]+)\] ([a-z_]+)$/.exec(part) ?? [];
    return WORDS[code ?? ""] ?? `${field}: ${(code ?? "").replaceAll("_", " ")}`;
  });
  const text = sentences.join("; ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}
