"""The manager's pages: the team's day and the dashboard, as pure view models and charts
(`team`, `dashboard`, `charts`) that the routes in `hearth.web.routes.manager` fill from
the services' HTTP APIs."""
