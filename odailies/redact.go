package odailies

// Redact returns s with the client's token, in every spelling a URL or a
// server's echo may carry it, replaced by its redact.Token form, and with
// the query and userinfo of every URL in the text cut. Use it on any text
// that may hold a request URL before it reaches a log, a status file or
// the user.
func (c *Client) Redact(s string) string { return c.secrets.String(s) }
