-- The web origins a project lets browsers call its API from (CORS), as
-- scheme://host[:port] in lower case. By origin too: a preflight carries
-- no credentials, so it is answered for an origin any project lists.
CREATE TABLE project_origins (
	project_id BIGINT NOT NULL REFERENCES projects (id),
	origin     TEXT NOT NULL,
	PRIMARY KEY (project_id, origin)
);
CREATE INDEX project_origins_origin ON project_origins (origin);
