-- Role and database for the capture cluster (mirror-schema.sql fills it).
CREATE ROLE lakegate LOGIN PASSWORD 'lakegate';
CREATE DATABASE lakegate OWNER lakegate;
