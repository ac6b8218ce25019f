"""Reading a help-forum post on Discord: its question, its conversation, an answer's messages, tags.

A forum post is a thread of a forum channel whose starter message has the thread's id and lives
in the thread itself. Not an extension: the forum cog imports it.
"""

from __future__ import annotations

import discord

from bot import strings
from cogs.support.mentions import strip_mention
from store.server_settings import ServerConfig
from store.solutions import ForumPost

RUN_MESSAGES = 20  # how far an answer's consecutive messages are looked for, each way


def is_post_start(message: discord.Message) -> bool:
    """Tell whether a message opened a forum post (its id is the post's id)."""
    channel = message.channel
    return isinstance(channel, discord.Thread) and message.id == channel.id


def forum_of(channel: object, config: ServerConfig) -> discord.ForumChannel | None:
    """Return the help forum a thread is a post of (None: not a post of a help forum)."""
    if not isinstance(channel, discord.Thread) or not config.is_help_forum(channel.parent_id):
        return None
    parent = channel.parent
    return parent if isinstance(parent, discord.ForumChannel) else None


async def starter_of(post: discord.Thread) -> discord.Message | None:
    """Return the post's first message (cached, or read from the post), if it still exists."""
    if post.starter_message is not None:
        return post.starter_message
    try:
        return await post.fetch_message(post.id)
    except discord.HTTPException:
        return None


def question_of(post: discord.Thread, starter: discord.Message | None, bot_id: int) -> str:
    """Return the post's question: its title, then its first message."""
    body = strip_mention(starter.content, bot_id) if starter is not None else ""
    return f"{post.name.strip()}\n\n{body}" if body else post.name.strip()


async def post_record(post: discord.Thread, bot_id: int) -> ForumPost:
    """Describe a post for the store: where, who opened it, when, title and first message."""
    starter = await starter_of(post)
    body = strip_mention(starter.content, bot_id) if starter is not None else ""
    return ForumPost(
        thread_id=post.id,
        forum_id=post.parent_id,
        guild_id=post.guild.id,
        asker_id=post.owner_id,
        title=post.name,
        first_message=body,
        posted_at=discord.utils.snowflake_time(post.id),
    )


async def answer_run(post: discord.Thread, target: discord.Message) -> dict[int, str]:
    """Return the target's text with its author's messages right before and after it."""
    author = target.author.id
    run: dict[int, str] = {target.id: target.content}
    for older in (True, False):
        found = post.history(limit=RUN_MESSAGES, before=target, oldest_first=False)
        if not older:
            found = post.history(limit=RUN_MESSAGES, after=target, oldest_first=True)
        async for message in found:
            if message.author.id != author or message.id == post.id:
                break
            run[message.id] = message.content
    return run


def solved_tag(forum: discord.ForumChannel, config: ServerConfig) -> discord.ForumTag | None:
    """Return the forum's solved tag: the one set with `/configurar`, or one named "Resuelto"."""
    wanted = (config.solved_tag_name,) if config.solved_tag_name else strings.SOLVED_TAG_NAMES
    names = {name.casefold() for name in wanted}
    return next((t for t in forum.available_tags if t.name.casefold() in names), None)
