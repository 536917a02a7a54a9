"""The HTTP API of the public contract (`../shared/api.md`, kept in docs/api.md): one router
per bounded context, wired together by `starter.http.app.create_app`."""
