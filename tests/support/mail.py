"""Reading the e-mails the loopback SMTP server received: the links they carry."""
import re

BASE_URL = "https://guichet.example.ch"  # the tests' configured BASE_URL


def link_in(mail, path_part: str) -> str:
    """The path of the first link in ``mail`` that contains ``path_part``. The link must be
    built from BASE_URL, and the HTML part must carry the same link."""
    urls = [url for url in re.findall(r"https?://\S+", mail.text) if path_part in url]
    assert urls, f"no link with {path_part} in: {mail.text}"
    url = urls[0]
    assert url.startswith(BASE_URL + "/"), url
    assert f'href="{url}"' in mail.html, url
    return url.removeprefix(BASE_URL)


def reset_link(client, mailbox, email) -> str:
    """« Mot de passe oublié » for ``email``; the path of the link that arrives."""
    client.post("/mot-de-passe-oublie", data={"email": email})
    return link_in(mailbox.to(email)[-1], "/mot-de-passe/nouveau/")
