package web

// Engine routes requests.
type Engine struct {
	// TrustedPlatform names the header holding the client IP.
	TrustedPlatform string
}

// Run serves HTTP.
func (e *Engine) Run() error { return nil }
