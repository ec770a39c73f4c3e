package daemon

// foreignOwner is never true on Windows: the service runs as LocalSystem
// and the state folder's ACL gives Administrators the same access.
func foreignOwner(string) (string, bool) { return "", false }
