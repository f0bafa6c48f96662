import { rpc } from "@web/core/network/rpc";
import publicWidget from "@web/legacy/js/public/public_widget";

// Star rating of a library resource: one rating per user, changed by clicking another star.
publicWidget.registry.SchoolLibraryRating = publicWidget.Widget.extend({
    selector: ".o_school_library_resource",
    events: {
        "click .o_school_star": "_onStarClick",
    },

    async _onStarClick(ev) {
        const stars = parseInt(ev.currentTarget.dataset.stars, 10);
        const slideId = this.el.dataset.slideId;
        const result = await rpc(`/school/library/${slideId}/rate`, { stars });
        const message = this.el.querySelector(".o_school_library_rate_message");
        if (result.error) {
            message.textContent = result.error;
            return;
        }
        for (const button of this.el.querySelectorAll(".o_school_star")) {
            const on = parseInt(button.dataset.stars, 10) <= result.stars;
            button.classList.toggle("text-warning", on);
            button.classList.toggle("text-muted", !on);
        }
        this.el.querySelector(".o_school_library_average").textContent = result.average.toFixed(2);
        this.el.querySelector(".o_school_library_count").textContent = result.count;
        message.classList.add("o_school_library_rated");
        message.textContent = "✓";
    },
});

export default publicWidget.registry.SchoolLibraryRating;
