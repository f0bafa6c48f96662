import base64
import mimetypes

from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools.mimetypes import guess_mimetype

from .city_school import GRADES, STAGES
from .city_school_chapter import VOLUMES

LIBRARY_STATES = [
    ("draft", "Draft"),
    ("school_review", "School Review"),
    ("district_review", "District Review"),
    ("city_review", "City Review"),
    ("published", "Published"),
    ("rejected", "Rejected"),
]
# the sort orders of the public library: their ORDER BY columns, which are also their indexes
LIBRARY_SORTS = {
    "newest": ("date_published DESC NULLS LAST", "id DESC"),
    "viewed": ("total_views DESC", "id DESC"),
    "rated": ("library_rating_avg DESC", "library_rating_count DESC", "id DESC"),
}
LICENSES = [
    ("cc_by", "CC BY 4.0"),
    ("cc_by_sa", "CC BY-SA 4.0"),
    ("cc_by_nc", "CC BY-NC 4.0"),
    ("cc_by_nc_sa", "CC BY-NC-SA 4.0"),
    ("public_domain", "Public Domain"),
    ("all_rights_reserved", "All Rights Reserved"),
]
# The review level that decides in each review state, and the state an approval leads to.
REVIEW_LEVEL = {"school_review": "school", "district_review": "district", "city_review": "city"}
NEXT_STATE = {"school_review": "district_review", "district_review": "city_review", "city_review": "published"}


def _library_mimetype(raw):
    """The type of an uploaded file; local videos (MP4, WebM) are recognised by their signature."""
    if raw[4:8] == b"ftyp":
        return "video/mp4"
    if raw[:4] == b"\x1a\x45\xdf\xa3":
        return "video/webm"
    return guess_mimetype(raw)


class SlideSlide(models.Model):
    _inherit = "slide.slide"

    school_id = fields.Many2one(
        "city.school",
        compute="_compute_school_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        ondelete="restrict",
        help="The school of the resource (by default the school of its course); counted in the indicators.",
    )
    school_stage = fields.Selection(STAGES, string="Stage", tracking=True)
    school_subject_id = fields.Many2one(
        "city.school.subject", string="Subject", index="btree_not_null", ondelete="restrict", tracking=True
    )
    school_grade = fields.Selection(GRADES, string="Grade", tracking=True)
    school_edition_id = fields.Many2one(
        "city.school.edition", string="Textbook Edition", index="btree_not_null", ondelete="restrict", tracking=True
    )
    school_volume = fields.Selection(VOLUMES, string="Volume", tracking=True)
    school_chapter_id = fields.Many2one(
        "city.school.chapter",
        string="Chapter",
        index="btree_not_null",
        ondelete="restrict",
        tracking=True,
        domain="[('subject_id', '=', school_subject_id), ('grade', '=', school_grade), "
        "('edition_id', '=', school_edition_id), ('volume', '=', school_volume)]",
    )
    library_state = fields.Selection(
        LIBRARY_STATES,
        string="Library Status",
        default="draft",
        required=True,
        index=True,
        tracking=True,
        copy=False,
        readonly=True,
    )
    library_license = fields.Selection(LICENSES, string="Licence", default="cc_by_nc", tracking=True)
    library_owner = fields.Char(
        string="Copyright Owner", tracking=True, help="Who holds the copyright (the author, the school, a publisher)."
    )
    library_teacher_id = fields.Many2one(
        "city.school.teacher",
        string="Author Teacher",
        compute="_compute_library_teacher_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        ondelete="restrict",
        domain="[('school_id', '=', school_id)]",
        help="The teacher credited with the contributor points of this resource.",
    )
    library_review_ids = fields.One2many("city.school.resource.review", "slide_id", string="Reviews")
    library_version_ids = fields.One2many("city.school.resource.version", "slide_id", string="Versions")
    library_version = fields.Integer(string="Version", readonly=True, copy=False)
    library_mimetype = fields.Char(string="File Type", readonly=True, copy=False)
    library_download_count = fields.Integer(string="Downloads", default=0, readonly=True, copy=False)
    library_rating_ids = fields.One2many("city.school.resource.rating", "slide_id", string="Star Ratings")
    library_rating_avg = fields.Float(
        string="Average Rating", compute="_compute_library_rating", store=True, digits=(3, 2), copy=False
    )
    library_rating_count = fields.Integer(
        string="Number of Ratings", compute="_compute_library_rating", store=True, copy=False
    )

    def init(self):
        res = super().init()
        # the sort orders of the public library, on the published resources only: over the whole
        # library, and along a subject and grade (a teacher's shelf), where a search reads only the
        # rows of its page instead of filtering the subject and grade out of the whole order
        where = "library_state = 'published'"
        for sort, columns in LIBRARY_SORTS.items():
            tools.create_index(self.env.cr, f"slide_slide_library_{sort}_index", self._table, columns, where=where)
            tools.create_index(
                self.env.cr,
                f"slide_slide_library_shelf_{sort}_index",
                self._table,
                ["school_subject_id", "school_grade", *columns],
                where=where,
            )
        tools.create_index(
            self.env.cr,
            "slide_slide_library_taxonomy_index",
            self._table,
            ["school_subject_id", "school_grade", "school_edition_id", "school_volume"],
            where=where,
        )
        return res

    @api.depends("channel_id.school_id")
    def _compute_school_id(self):
        for slide in self:
            slide.school_id = slide.channel_id.school_id or slide.school_id

    @api.depends("school_id", "user_id")
    def _compute_library_teacher_id(self):
        Teacher = self.env["city.school.teacher"].sudo()
        for slide in self:
            if slide.library_teacher_id.school_id == slide.school_id and slide.library_teacher_id:
                continue
            teacher = (
                slide.school_id
                and slide.user_id
                and Teacher.search(
                    [("school_id", "=", slide.school_id.id), ("user_id", "=", slide.user_id.id)], limit=1
                )
            )
            slide.library_teacher_id = teacher or False

    @api.depends("channel_id.can_publish")
    @api.depends_context("uid", "city_school_library_move")
    def _compute_can_publish(self):
        """Library resources are published and unpublished by the review workflow only (whose steps
        check the reviewer's level themselves), whoever the course's responsible is."""
        res = super()._compute_can_publish()
        if self.env.context.get("city_school_library_move"):
            for slide in self:
                if slide.school_id:
                    slide.can_publish = True
        return res

    @api.depends("library_rating_ids.stars")
    def _compute_library_rating(self):
        groups = (
            self.env["city.school.resource.rating"]
            .sudo()
            ._read_group([("slide_id", "in", self.ids)], ["slide_id"], ["stars:avg", "__count"])
        )
        stats = {slide.id: (avg, count) for slide, avg, count in groups}
        for slide in self:
            slide.library_rating_avg, slide.library_rating_count = stats.get(slide.id, (0.0, 0))

    @api.constrains("is_published", "library_state", "school_id", "is_category")
    def _check_library_publication(self):
        for slide in self:
            if slide.school_id and not slide.is_category and slide.is_published and slide.library_state != "published":
                raise ValidationError(
                    self.env._(
                        "Resource %(name)s of a school library is published on the website only when the city "
                        "approves it.",
                        name=slide.name,
                    )
                )

    @api.constrains("school_chapter_id", "school_subject_id", "school_grade", "school_edition_id", "school_volume")
    def _check_library_chapter(self):
        for slide in self:
            chapter = slide.school_chapter_id
            if chapter and (chapter.subject_id, chapter.grade, chapter.edition_id, chapter.volume) != (
                slide.school_subject_id,
                slide.school_grade,
                slide.school_edition_id,
                slide.school_volume,
            ):
                raise ValidationError(
                    self.env._(
                        "The chapter %(chapter)s belongs to another book than resource %(name)s.",
                        chapter=chapter.complete_name,
                        name=slide.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("library_state", "draft") != "draft":
                self._library_check_state_write(vals)
        slides = super().create(vals_list)
        uploaded = slides.filtered(lambda s: s.school_id and s.binary_content)
        if uploaded:
            uploaded._library_add_version()
        return slides

    def write(self, vals):
        self._library_check_state_write(vals)
        res = super().write(vals)
        if vals.get("binary_content"):
            library = self.filtered("school_id")
            if library:
                library._library_add_version()
                # a new file is a new resource for the reviewers: back to draft, off the website
                reviewed = library.filtered(lambda s: s.library_state not in ("draft", "rejected"))
                if reviewed:
                    reviewed.sudo()._library_move("draft", is_published=False)
        return res

    # ------------------------------------------------------------------
    # Versions
    # ------------------------------------------------------------------
    def _library_add_version(self):
        """Keep the file just uploaded as a new version; earlier versions keep their own attachment.

        Called after the slide was created or written by the user (whose rights were checked by that
        create or write), so the version and its attachment are written as superuser.
        """
        note = self.env.context.get("city_school_version_note") or False
        Version_sudo = self.env["city.school.resource.version"].sudo()
        Attachment_sudo = self.env["ir.attachment"].sudo()
        for slide in self:
            number = slide.library_version + 1
            content = slide.binary_content
            raw = base64.b64decode(content)
            version_sudo = Version_sudo.create(
                {"slide_id": slide.id, "version": number, "note": note, "uploaded_by_id": self.env.uid}
            )
            mimetype = _library_mimetype(raw)
            extension = mimetypes.guess_extension(mimetype) or ""
            attachment_sudo = Attachment_sudo.create(
                {
                    "name": f"{slide.name}-v{number}{extension}",
                    "raw": raw,
                    "res_model": version_sudo._name,
                    "res_id": version_sudo.id,
                }
            )
            version_sudo.attachment_id = attachment_sudo
            slide.sudo().write({"library_version": number, "library_mimetype": mimetype})

    # ------------------------------------------------------------------
    # Review workflow
    # ------------------------------------------------------------------
    def _library_move(self, state, **values):
        """The only way the library status changes (the field is read-only for everyone else)."""
        self.with_context(city_school_library_move=True).write(dict(values, library_state=state))

    @api.model
    def _library_check_state_write(self, vals):
        if "library_state" in vals and not self.env.context.get("city_school_library_move"):
            raise UserError(self.env._("The library status changes only through submission and review."))

    def action_library_submit(self):
        for slide in self:
            slide.check_access("write")
            if not slide.school_id:
                raise UserError(self.env._("Only resources of a school are reviewed for the library."))
            if slide.library_state not in ("draft", "rejected"):
                raise UserError(
                    self.env._("Resource %(name)s is not a draft and cannot be submitted.", name=slide.name)
                )
            missing = [
                slide._fields[name].get_description(self.env)["string"]
                for name in ("school_stage", "school_subject_id", "school_grade", "school_edition_id", "school_volume")
                if not slide[name]
            ]
            if missing:
                raise UserError(
                    self.env._(
                        "Resource %(name)s needs its stage, subject, grade, edition and volume before review; "
                        "missing: %(fields)s.",
                        name=slide.name,
                        fields=", ".join(missing),
                    )
                )
            if not (slide.binary_content or slide.url or slide.html_content):
                raise UserError(self.env._("Resource %(name)s has no content to review.", name=slide.name))
            slide.sudo()._library_move("school_review")
        return True

    def action_library_approve(self, reason=False):
        return self._library_decide("approve", reason)

    def action_library_reject(self, reason):
        return self._library_decide("reject", reason)

    def _library_decide(self, decision, reason):
        Review = self.env["city.school.resource.review"]
        for slide in self:
            slide.check_access("read")
            level = REVIEW_LEVEL.get(slide.library_state)
            if not level:
                raise UserError(
                    self.env._(
                        "Resource %(name)s is not waiting for a review (status: %(state)s).",
                        name=slide.name,
                        state=dict(LIBRARY_STATES)[slide.library_state],
                    )
                )
            Review._check_reviewer(level, slide.school_id)
            if decision == "reject" and not (reason or "").strip():
                raise UserError(self.env._("A rejection needs a reason."))
            slide_sudo = slide.sudo()
            # every decision also enters the city's hash-chained audit log (the reviewer's rights
            # were checked above)
            self.env["city.audit.log"].sudo().record(
                f"school.resource.{decision}",
                record=slide,
                payload={
                    "level": level,
                    "reviewer_id": self.env.uid,
                    "reason": reason or "",
                    "version": slide_sudo.library_version,
                },
                chain="school_library",
            )
            Review.sudo().create(
                {
                    "slide_id": slide.id,
                    "level": level,
                    "decision": decision,
                    "reason": reason,
                    "reviewer_id": self.env.uid,
                }
            )
            if decision == "reject":
                slide_sudo._library_move("rejected", is_published=False)
                continue
            next_state = NEXT_STATE[slide.library_state]
            if next_state == "published":
                slide_sudo._library_move(next_state, is_published=True, is_preview=True)
            else:
                slide_sudo._library_move(next_state)
            self.env["city.school.points"]._award(f"approve_{level}", slide, self.env.user)
        return True

    def action_library_open_review(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "city.school.resource.review.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_slide_id": self.id},
        }

    # ------------------------------------------------------------------
    # Library counters (public page and download route)
    # ------------------------------------------------------------------
    def _library_count_view(self):
        """Count one view of the published resource and credit the author (once per viewer and day)."""
        self.ensure_one()
        self.env.cr.execute(
            "UPDATE slide_slide SET public_views = COALESCE(public_views, 0) + 1, "
            "total_views = COALESCE(slide_views, 0) + COALESCE(public_views, 0) + 1 WHERE id = %s",
            [self.id],
        )
        self.invalidate_recordset(["public_views", "total_views"])
        self.env["city.school.points"]._award("view", self, self.env.user)

    def _library_count_download(self):
        """Count and log one download and credit the author (once per downloader and day)."""
        self.ensure_one()
        self.env.cr.execute(
            "UPDATE slide_slide SET library_download_count = COALESCE(library_download_count, 0) + 1 WHERE id = %s",
            [self.id],
        )
        self.invalidate_recordset(["library_download_count"])
        self.env["city.school.resource.download"].sudo().create({"slide_id": self.id, "user_id": self.env.uid})
        self.env["city.school.points"]._award("download", self, self.env.user)

    def _library_rate(self, stars):
        """Rate the resource (1 to 5 stars); a user rates a resource once and may change the rating."""
        self.ensure_one()
        if self.env.user._is_public():
            raise UserError(self.env._("Sign in to rate a resource."))
        if self.library_state != "published":
            raise UserError(self.env._("Only published resources can be rated."))
        Rating_sudo = self.env["city.school.resource.rating"].sudo()
        rating_sudo = Rating_sudo.search([("slide_id", "=", self.id), ("user_id", "=", self.env.uid)])
        if rating_sudo:
            rating_sudo.stars = stars
        else:
            rating_sudo = Rating_sudo.create({"slide_id": self.id, "user_id": self.env.uid, "stars": stars})
        if stars >= 4:
            self.env["city.school.points"]._award("good_rating", self, self.env.user)
        return rating_sudo
