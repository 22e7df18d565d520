"""The test suite: one package per app, cross-cutting tests at the top, browser tests in browser/."""
