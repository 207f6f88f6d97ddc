"""The performance harness of issue 8: a seeded campaign at scale S, M or L, the app served by gunicorn as it
is deployed, a load client, the deadline rush, and bench/RESULTS.md. See bench/README.md."""
