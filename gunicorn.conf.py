"""gunicorn's settings wherever the service is deployed: gunicorn reads this file from its
working directory (the image's /app; bench/servers.py starts it in the checkout it serves).

Threaded workers: a worker's main thread keeps telling the arbiter it is alive while its
threads serve requests. A sync worker busy with one response tells it nothing, so a download
streaming longer than `timeout` (the accepted data set, a full CSV export: minutes at 100,000
claims) would be killed halfway and the client would get a truncated file.
"""

import os

worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# Still the limit for a worker that stops answering the arbiter altogether.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
