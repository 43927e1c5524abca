"""The portal's forms (Flask-WTF): each carries its CSRF token; labels in Vietnamese."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    name = StringField("Tên đăng nhập", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Mật khẩu", validators=[DataRequired(), Length(max=256)])


class PasswordForm(FlaskForm):
    current = PasswordField("Mật khẩu hiện tại", validators=[DataRequired(), Length(max=256)])
    new = PasswordField("Mật khẩu mới", validators=[DataRequired(), Length(max=256)])
    again = PasswordField(
        "Nhập lại mật khẩu mới",
        validators=[DataRequired(), EqualTo("new", message="Hai lần nhập không khớp.")],
    )


class UploadForm(FlaskForm):
    files = MultipleFileField("Tệp bài nộp (chọn một hoặc nhiều tệp)")


class BuildForm(FlaskForm):
    only_docx = BooleanField("Chỉ dựng DOCX (nhanh); bỏ trống: mọi định dạng theo cấu hình")
    keep_going = BooleanField("Vẫn dựng khi còn lỗi (phần lỗi để trống)")


class ActionForm(FlaskForm):
    """A button alone (log out, unlock): only its CSRF token."""
