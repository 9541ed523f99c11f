"""The reference: a bare Flask app with one page, served by gunicorn in the same run.

    gunicorn -w 2 -b 127.0.0.1:8001 --chdir bench bare_app:app
"""
from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "hello"
