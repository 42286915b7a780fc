// Package config loads the platform team's org configuration with its
// per-repository overrides (ParseOrg, ParseRepoOverride). The operator's server
// configuration is server/serverconfig's; it decodes its file with DecodeFile.
//
// Every file is parsed strictly: an unknown key, a value of the wrong type or
// an out-of-range value is an error. Org and repository files are untrusted
// input, so their errors are *Error values carrying the file and line, ready to
// be shown on a check run.
package config
